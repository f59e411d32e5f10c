/* Fuzz pyproject.toml's legacy_tox_ini extraction, then read what it gives as INI, as tox_load does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/config/diag.h"
#include "../src/config/ini.h"
#include "../src/config/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = { 0 };
	char *text = malloc(size + 1);
	char *ini_text;
	int err = -1;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ini_text = source_pyproject_ini("pyproject.toml", text, &d, &err);
	if (err && (ini_text || !d.msg[0]))
		__builtin_trap();	/* an error gives a message and no text */
	if (ini_text) {
		struct ini ini;
		struct diag d2 = { 0 };
		memset(&ini, 0, sizeof(ini));
		(void)ini_parse(&ini, "pyproject.toml", ini_text, strlen(ini_text), &d2);
		ini_release(&ini);
		free(ini_text);
	}
	free(text);
	return 0;
}
