/* Fuzz the INI reader: any bytes must give a parse or a diagnostic, never a crash or a leak. */
#include <stdint.h>
#include <string.h>

#include "../src/config/diag.h"
#include "../src/config/ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ini ini;
	struct diag d = { 0 };

	memset(&ini, 0, sizeof(ini));
	/* the text is not NUL-terminated: ini_parse must stay within size bytes */
	if (ini_parse(&ini, "tox.ini", (const char *)data, size, &d) == 0) {
		/* walk what was read, as the engine does */
		for (size_t i = 0; i < ini.n; i++) {
			const struct ini_section *s = &ini.sections[i];
			if (ini_section(&ini, s->name) == NULL)
				__builtin_trap();
			for (size_t j = 0; j < s->n; j++) {
				const struct ini_entry *e = &s->entries[j];
				if (ini_get(s, e->key) == NULL)
					__builtin_trap();
				for (size_t k = 0; k <= e->nvlines; k++)
					if (ini_value_line(e, k) < 1 || ini_value_col(e, k) < 1)
						__builtin_trap();	/* positions are 1-based */
				int line, col;
				size_t vlen = strlen(e->value);
				(void)ini_find_text(e, e->value + vlen / 2, vlen - vlen / 2, &line, &col);
			}
		}
	} else if (d.line < 0 || d.col < 0 || !d.msg[0]) {
		/* a failed parse must say where and why */
		__builtin_trap();
	}
	ini_release(&ini);
	return 0;
}
