/*
 * rss_run FILE CMD [ARG...]: run CMD, wait for it, write "MAXRSS_KB USER_S SYS_S" to FILE,
 * and exit with CMD's status (128 + signal when a signal ended it).
 *
 * Why not measure from speed.py directly: on Linux a child's ru_maxrss keeps the high-water
 * mark of the process it was forked from across exec, so a command started by a Python process
 * holding 300 MB reports at least 300 MB however little it uses (fork, vfork and posix_spawn
 * alike). This small program is exec'd first and forks the command from its own few pages.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: rss_run FILE CMD [ARG...]\n");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("rss_run: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("rss_run: exec");
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("rss_run: wait4");
		return 2;
	}
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		perror("rss_run: output file");
		return 2;
	}
	fprintf(f, "%ld %ld.%06ld %ld.%06ld\n", ru.ru_maxrss, (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
		(long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec);
	fclose(f);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
