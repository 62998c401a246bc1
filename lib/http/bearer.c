#include "http/bearer.h"

#include <string.h>
#include <strings.h>

enum err
bearer_token(const char *h, const char **tok, size_t *len)
{
	size_t n;

	if (h == NULL || strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t'))
		return ERR_MISSING_API_KEY;
	h += 6;
	while (*h == ' ' || *h == '\t')
		h++;
	n = strlen(h);
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	if (n == 0)
		return ERR_MISSING_API_KEY;
	*tok = h;
	*len = n;
	return ERR_NONE;
}
