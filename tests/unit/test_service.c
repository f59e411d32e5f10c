/* Service definitions ([blitz:service:NAME]), their substitutions, free ports and what killed runs left. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"
#include "../../src/config/diag.h"
#include "../../src/service/def.h"
#include "../../src/service/home.h"
#include "../../src/util/util.h"

/* Load text's service definitions into defs; returns svc_defs_load's result, the message into msg. */
static int load(const char *text, struct svc_defs *defs, char *msg, size_t msgsz)
{
	struct fx f;
	int rc;

	memset(defs, 0, sizeof(*defs));
	CHECK_INT(fx_ini(&f, text, 0), 0);
	rc = svc_defs_load(&f.tox, defs, &f.d);
	msg[0] = '\0';
	if (rc < 0) {
		char *m = diag_format(&f.d);
		snprintf(msg, msgsz, "%s", m);
		free(m);
	}
	fx_release(&f);
	return rc;
}

static void test_service_definition(void)
{
	struct svc_defs defs;
	char msg[512];

	CHECK_INT(load("[tox]\nenvlist = py\n"
		       "[blitz:service:pg]\n"
		       "path = /nonexistent/*/bin\n  /\n  {toxinidir}\n"
		       "setup = initdb -D {service_dir}/data\n  echo two\n"
		       "command = postgres -p {port} -k \"\"\n"
		       "ready = cmd pg_isready -p {port}\n"
		       "ready_timeout = 2.5\n"
		       "reset = psql -c 'x'\n"
		       "env =\n  URL = postgresql://{host}:{port}/db\n  SLOT=s{slot}\n"
		       "[blitz:service:redis]\ncommand = redis-server --port {port}\nready = tcp {port}\n"
		       "[blitz:service:sock]\ncommand = redis-server --port 0\nready = unix {service_dir}/s.sock\n"
		       "pass_env = AWS_*, PGDATA\n  KRB5CCNAME\n",
		       &defs, msg, sizeof(msg)), 0);
	CHECK_INT((int)defs.n, 3);
	const struct svc_def *sock = svc_def_find(&defs, "sock");
	CHECK_INT(sock->ready, SVC_READY_UNIX);
	CHECK_STR(sock->ready_arg, "{service_dir}/s.sock");
	CHECK_INT((int)sock->pass_env.n, 3);
	CHECK_STR(sock->pass_env.v[0], "AWS_*");
	CHECK_STR(sock->pass_env.v[2], "KRB5CCNAME");
	const struct svc_def *pg = svc_def_find(&defs, "pg");
	CHECK(pg != NULL);
	CHECK(svc_def_find(&defs, "mysql") == NULL);
	CHECK_INT((int)pg->path.n, 2);	/* the glob matched nothing; "/" and the project exist */
	CHECK_STR(pg->path.v[0], "/");
	CHECK(pg->path.v[1][0] == '/' && strcmp(pg->path.v[1], "/") != 0);
	CHECK_INT((int)pg->setup.n, 2);
	CHECK_STR(pg->setup.v[1], "echo two");
	CHECK_INT(pg->ready, SVC_READY_CMD);
	CHECK_STR(pg->ready_arg, "pg_isready -p {port}");
	CHECK(pg->ready_timeout == 2.5);
	CHECK_INT((int)pg->env_keys.n, 2);
	CHECK_STR(pg->env_keys.v[0], "URL");
	CHECK_STR(pg->env_values.v[1], "s{slot}");
	CHECK_INT(svc_def_find(&defs, "redis")->ready, SVC_READY_TCP);
	CHECK(svc_def_find(&defs, "redis")->ready_timeout == 30);

	struct svc_vars v = { 21234, "/run/pg-1", 1, "/proj" };
	char err[300];
	char *s = svc_subst(pg, pg->env_values.v[0], &v, err, sizeof(err));
	CHECK_STR(s, "postgresql://127.0.0.1:21234/db");
	free(s);
	s = svc_subst(pg, "{name} {slot} {toxinidir} \\{port\\} {env:BLITZ_TEST_UNSET:dflt}", &v, err, sizeof(err));
	CHECK_STR(s, "pg 1 /proj {port} dflt");
	free(s);
	CHECK(svc_subst(pg, "{nope}", &v, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "unknown substitution {nope}") != NULL);
	struct strvec w = STRVEC_INIT;
	CHECK_INT(svc_words(pg, pg->command, &v, &w, err, sizeof(err)), 0);
	CHECK_INT((int)w.n, 5);
	CHECK_STR(w.v[2], "21234");
	CHECK_STR(w.v[4], "");	/* -k "": an empty word, as the shell would pass it */
	strvec_clear(&w);
	svc_defs_release(&defs);
}

/* Each broken definition is refused with its file, line and what to write. */
static void test_service_errors(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "[blitz:service:a]\nready = tcp {port}\n", "tox.ini:1:1: [blitz:service:a]: no command" },
		{ "[blitz:service:a]\ncommand = x\n", "no ready" },
		{ "[blitz:service:a]\ncommand = x\nready = http {port}\n", "tox.ini:3:9: [blitz:service:a] ready = http {port}: write 'unix PATH'" },
		{ "[blitz:service:a]\ncommand = x {prot}\nready = tcp {port}\n", "tox.ini:2:1: [blitz:service:a]: unknown substitution {prot}" },
		{ "[blitz:service:a]\ncommand = x 'open\nready = tcp {port}\n", "unbalanced quotes" },
		{ "[blitz:service:a]\ncommand = x\n  y\nready = tcp {port}\n", "write the one command" },
		{ "[blitz:service:a]\ncommand = x\nready = tcp {port}\nready_timeout = soon\n", "ready_timeout = soon: write the seconds" },
		{ "[blitz:service:a]\ncommand = x\nready = tcp {port}\nenv =\n  NOVALUE\n", "tox.ini:5:1: [blitz:service:a] env: write KEY = VALUE" },
		{ "[blitz:service:a]\ncommand = x\nready = tcp {port}\nport = 5\n", "unknown key 'port'" },
		{ "[blitz:service:]\ncommand = x\nready = tcp {port}\n", "name the service" },
		{ "[blitz:service:a.b]\ncommand = x\nready = tcp {port}\n", "name the service with letters" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct svc_defs defs;
		char msg[512];
		CHECK_INT(load(cases[i].text, &defs, msg, sizeof(msg)), -1);
		if (!strstr(msg, cases[i].want))
			test_fail(__FILE__, __LINE__, "case %zu: '%s' lacks '%s'", i, msg, cases[i].want);
		svc_defs_release(&defs);
	}
}

/* blitz_services is a testenv key with factor conditions, split at lines, commas and spaces. */
static void test_service_env_key(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py-django,py-flask\n[testenv]\nblitz_services =\n"
			 "    django: postgres\n    redis, memcached\n", 0), 0);
	memset(&e, 0, sizeof(e));
	CHECK_INT(fx_env(&f, "py-django", &e), 0);
	CHECK_STR(fx_join(&f, &e.services), "postgres|redis|memcached");
	toxenv_release(&e);
	memset(&e, 0, sizeof(e));
	CHECK_INT(fx_env(&f, "py-flask", &e), 0);
	CHECK_STR(fx_join(&f, &e.services), "redis|memcached");
	toxenv_release(&e);
	fx_release(&f);
}

/* A scratch BASE for the tests below (TMPDIR points into it while they run). */
static char *scratch_base(char *tmpl)
{
	CHECK(mkdtemp(tmpl) != NULL);
	return tmpl;
}

static void test_service_ports(void)
{
	char tmpl[] = "/tmp/blitz-unit-svc-XXXXXX";
	char *dir = scratch_base(tmpl);
	int fd1 = -1, fd2 = -1, fd3 = -1;
	int p1 = svc_port_claim(dir, &fd1), p2 = svc_port_claim(dir, &fd2);

	CHECK(p1 >= SVC_PORT_LOW && p1 < SVC_PORT_HIGH);
	CHECK(p2 >= SVC_PORT_LOW && p2 < SVC_PORT_HIGH);
	CHECK(p1 != p2);
	CHECK(fd1 >= 0 && fd2 >= 0);
	/* a port this run (or another blitz run) holds the lock of is skipped */
	int p = svc_port_claim_from(dir, p2, &fd3);
	CHECK(p != p2 && p >= SVC_PORT_LOW);
	close(fd3);
	/* a port another program listens on is skipped, though blitz holds no lock on it */
	close(fd1);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { 0 };
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)p1);
	CHECK_INT(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_INT(listen(s, 1), 0);
	p = svc_port_claim_from(dir, p1, &fd3);
	CHECK(p != p1 && p >= SVC_PORT_LOW);
	close(fd3);
	close(s);
	/* and free again once it is closed: the same port comes back */
	p = svc_port_claim_from(dir, p1, &fd3);
	CHECK_INT(p, p1);
	close(fd3);
	close(fd2);
	remove_tree(dir);
}

/* A run killed with SIGKILL left a server: the next run's reaping stops it and removes the folder. */
static void test_service_orphans(void)
{
	char tmpl[] = "/tmp/blitz-unit-svc-XXXXXX";
	char *base = scratch_base(tmpl);
	int pipefd[2];

	CHECK_INT(pipe(pipefd), 0);
	pid_t dead_run = fork();
	if (dead_run == 0) {
		/* the "run": makes its folder and a server in a group of its own, then dies */
		int lock;
		char err[256];
		char *run = svc_run_dir(base, &lock, err, sizeof(err));
		if (!run)
			_exit(1);
		pid_t server = fork();
		if (server == 0) {
			setpgid(0, 0);
			execlp("sleep", "sleep", "39", (char *)NULL);
			_exit(127);
		}
		setpgid(server, server);
		/* until it has exec'd, the server's fork holds this run's lock (O_CLOEXEC) */
		for (int i = 0; i < 500; i++) {
			char path[64], comm[32] = "";
			snprintf(path, sizeof(path), "/proc/%ld/comm", (long)server);
			FILE *f = fopen(path, "r");
			if (f) {
				if (!fgets(comm, sizeof(comm), f))
					comm[0] = '\0';
				fclose(f);
			}
			if (strncmp(comm, "sleep", 5) == 0)
				break;
			struct timespec ts = { 0, 2 * 1000000L };
			nanosleep(&ts, NULL);
		}
		svc_pidfile_write(run, "fake", 0, server);
		if (write(pipefd[1], &server, sizeof(server)) != sizeof(server))
			_exit(1);
		_exit(0);	/* its lock goes with it, as with SIGKILL */
	}
	pid_t server = 0;
	close(pipefd[1]);
	CHECK_INT((int)read(pipefd[0], &server, sizeof(server)), (int)sizeof(server));
	close(pipefd[0]);
	waitpid(dead_run, NULL, 0);
	CHECK(server > 0);
	CHECK_INT(kill(server, 0), 0);	/* left running */

	/* a live run's folder is left alone */
	int lock;
	char err[256];
	char *mine = svc_run_dir(base, &lock, err, sizeof(err));
	CHECK(mine != NULL);

	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	CHECK_INT((int)svc_reap_orphans(base, out), 1);
	fclose(out);
	CHECK(strstr(buf, "stopped service fake-0") != NULL);
	free(buf);
	/* the server is gone (a zombie of init's, or reaped) */
	int alive = 1;
	for (int i = 0; i < 100 && alive; i++) {
		char path[64];
		struct stat st;
		snprintf(path, sizeof(path), "/proc/%ld/stat", (long)server);
		FILE *f = fopen(path, "r");
		char state = 'R';
		if (f) {
			if (fscanf(f, "%*d %*s %c", &state) != 1)
				state = 'R';
			fclose(f);
		}
		alive = stat(path, &st) == 0 && state != 'Z';
		if (alive) {
			struct timespec ts = { 0, 20 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	CHECK(!alive);
	waitpid(server, NULL, WNOHANG);
	char *dead_dir = xasprintf("%s/run-%ld", base, (long)dead_run);
	struct stat st;
	CHECK(stat(dead_dir, &st) < 0 && errno == ENOENT);
	CHECK(stat(mine, &st) == 0);
	free(dead_dir);
	close(lock);
	free(mine);
	remove_tree(base);
}

const struct test service_tests[] = {
	{ "service_definition", test_service_definition },
	{ "service_errors", test_service_errors },
	{ "service_env_key", test_service_env_key },
	{ "service_ports", test_service_ports },
	{ "service_orphans", test_service_orphans },
	{ NULL, NULL },
};
