/*
 * Run a libFuzzer target over files without libFuzzer: the regression
 * test that replays the checked-in corpora (seeds and every past finding)
 * from `meson test`, in the plain and the sanitizer builds alike.
 *
 *   fuzz_NAME_replay DIR_OR_FILE...
 *
 * Prints one line per file on failure and a final "N passed, M failed"
 * line; a broken promise aborts, as under libFuzzer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Optional in a target, as under libFuzzer. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			unsigned char *more = realloc(buf, cap ? cap * 2 : 4096);

			if (!more) {
				fclose(f);
				free(buf);
				return -1;
			}
			buf = more;
			cap = cap ? cap * 2 : 4096;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	/* An exact-size copy, as libFuzzer hands it over. */
	unsigned char *data = malloc(len ? len : 1);

	if (!data) {
		free(buf);
		return -1;
	}
	memcpy(data, buf, len);
	free(buf);
	fprintf(stderr, "%s\n", path); /* the last name printed is the culprit of a crash */
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
			run_file(argv[i]) == 0 ? passed++ : failed++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		char **names = NULL;
		size_t n = 0;

		if (!d) {
			perror(argv[i]);
			failed++;
			continue;
		}
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			char **more = realloc(names, (n + 1) * sizeof *names);
			size_t len = strlen(argv[i]) + strlen(e->d_name) + 2;

			if (!more || !(more[n] = malloc(len)))
				abort();
			names = more;
			snprintf(names[n++], len, "%s/%s", argv[i], e->d_name);
		}
		closedir(d);
		qsort(names, n, sizeof *names, compare_names);
		for (size_t k = 0; k < n; k++) {
			run_file(names[k]) == 0 ? passed++ : failed++;
			free(names[k]);
		}
		free(names);
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
