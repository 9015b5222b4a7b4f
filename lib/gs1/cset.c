/* GS1 character-set tables (see cset.h). */
#include "gs1/cset.h"

#include <string.h>

#define N ST_CSET_N
#define X ST_CSET_X
#define Y ST_CSET_Y
#define Z ST_CSET_Z

/* GNU range designators keep the table readable: a row per run of characters. */
const uint8_t st_cset_table[256] = {
    ['!'] = X, ['"'] = X, ['#'] = Y, ['%'] = X, ['&'] = X, ['\''] = X, ['('] = X, [')'] = X,
    ['*'] = X, ['+'] = X, [','] = X, ['-'] = X | Y | Z, ['.'] = X, ['/'] = X | Y,
    ['0' ... '9'] = N | X | Y | Z,
    [':'] = X, [';'] = X, ['<'] = X, ['='] = X, ['>'] = X, ['?'] = X,
    ['A' ... 'Z'] = X | Y | Z,
    ['_'] = X | Z,
    ['a' ... 'z'] = X | Z,
};

const char st_cset82[] = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
                         "abcdefghijklmnopqrstuvwxyz";

int st_cset82_value(unsigned char c)
{
    if (!st_cset_has(X, c))
        return -1;
    return (int)(strchr(st_cset82, c) - st_cset82);
}

unsigned st_cset_for_letter(char letter)
{
    switch (letter) {
    case 'N':
        return N;
    case 'X':
        return X;
    case 'Y':
        return Y;
    case 'Z':
        return Z;
    }
    return 0;
}
