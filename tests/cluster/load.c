/*
 * cluster-load: an HTTP/1.1 load client for scripts/cluster-test that knows
 * exactly what it sent, which wrk does not (wrk stops mid-request and does not
 * count what it cut): every request counted here got a whole response, so a
 * request count read from the service can be compared with it.
 *
 *   cluster-load [-c CONNS] (-n TOTAL | -d SECONDS) [-H "Name: value"] HOST:PORT PATH
 *
 * CONNS keep-alive connections (a new one after the server closes one) share
 * TOTAL requests, or send for SECONDS. One line on standard output:
 *   sent=N s200=N s401=N s503=N other=N neterr=N secs=S rps=R
 *   first_bad=T last_bad=T last_ok=T max_ms=M
 * first_bad and last_bad: Unix times (ms precision) of the first and last
 * answer that was not 200 (0 when none); last_ok: when the last request
 * answered 200 was sent (a request sent after a revoke was acknowledged must
 * not be one); neterr: requests without a whole
 * response (a refused connection, a reset): the service may or may not have
 * counted those.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CONNS_MAX 256
#define RESPONSE_MAX 65536

static struct sockaddr_in target;
static char request[2048];
static size_t request_len;
static long total;                 /* 0: until `until` */
static double until;
static atomic_long taken;

struct tally {
	long sent, s200, s401, s503, other, neterr;
	double first_bad, last_bad, last_ok, max_ms;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether another request may start. */
static bool
take(void)
{
	if (total > 0)
		return atomic_fetch_add(&taken, 1) < total;
	return now_s() < until;
}

static int
open_conn(void)
{
	struct timeval tv = {.tv_sec = 10};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&target, sizeof(target)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends the request on *fd and reads one whole response: its status, or 0. */
static int
exchange(int fd, bool *keep)
{
	static __thread char buf[RESPONSE_MAX];
	size_t have = 0, head_len, body_len;
	const char *end = NULL, *cl;
	int status;

	if (send(fd, request, request_len, MSG_NOSIGNAL) != (ssize_t)request_len)
		return 0;
	while (end == NULL) {
		ssize_t n = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);

		if (n <= 0)
			return 0;
		have += (size_t)n;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end == NULL && have == sizeof(buf) - 1)
			return 0;
	}
	head_len = (size_t)(end - buf) + 4;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1 ||
	    (cl = strcasestr(buf, "\r\nContent-Length:")) == NULL || cl > end)
		return 0;
	body_len = strtoul(cl + 17, NULL, 10);
	while (have < head_len + body_len) {
		char sink[4096];
		ssize_t n = recv(fd, sink, sizeof(sink), 0);

		if (n <= 0)
			return 0;
		have += (size_t)n;
	}
	cl = strcasestr(buf, "\r\nConnection: close");
	*keep = cl == NULL || cl > end;
	return status;
}

static void
count(struct tally *t, int status, double start)
{
	double at = now_s(), ms = (at - start) * 1000.0;

	t->sent++;
	if (ms > t->max_ms)
		t->max_ms = ms;
	if (status == 200) {
		t->s200++;
		if (start > t->last_ok)
			t->last_ok = start;
		return;
	}
	if (status == 401)
		t->s401++;
	else if (status == 503)
		t->s503++;
	else if (status == 0)
		t->neterr++;
	else
		t->other++;
	if (t->first_bad == 0)
		t->first_bad = at;
	t->last_bad = at;
}

static void *
run(void *arg)
{
	struct tally *t = arg;
	int fd = -1;

	while (take()) {
		double start = now_s();
		bool keep = false;
		int status = 0;

		if (fd < 0)
			fd = open_conn();
		if (fd >= 0)
			status = exchange(fd, &keep);
		count(t, status, start);
		if ((status == 0 || !keep) && fd >= 0) {
			close(fd);
			fd = -1;
		}
		if (status == 0)
			usleep(10000);   /* a refused or reset connection: do not spin */
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void
usage(void)
{
	fprintf(stderr, "usage: cluster-load [-c CONNS] (-n TOTAL | -d SECONDS) "
	        "[-H \"Name: value\"] HOST:PORT PATH\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct tally tallies[CONNS_MAX];
	static pthread_t threads[CONNS_MAX];
	struct tally sum = {0};
	const char *header = NULL;
	char host[64];
	double secs = 0, start;
	int conns = 8, opt, port;

	while ((opt = getopt(argc, argv, "c:n:d:H:")) != -1) {
		if (opt == 'c')
			conns = atoi(optarg);
		else if (opt == 'n')
			total = atol(optarg);
		else if (opt == 'd')
			secs = atof(optarg);
		else if (opt == 'H')
			header = optarg;
		else
			usage();
	}
	if (argc - optind != 2 || conns < 1 || conns > CONNS_MAX || (total <= 0) == (secs <= 0) ||
	    sscanf(argv[optind], "%63[^:]:%d", host, &port) != 2)
		usage();
	memset(&target, 0, sizeof(target));
	target.sin_family = AF_INET;
	target.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &target.sin_addr) != 1)
		usage();
	request_len = (size_t)snprintf(request, sizeof(request),
	                               "GET %s HTTP/1.1\r\nHost: %s\r\n%s%s", argv[optind + 1],
	                               argv[optind], header ? header : "", header ? "\r\n" : "");
	request_len += (size_t)snprintf(request + request_len, sizeof(request) - request_len,
	                                "\r\n");
	start = now_s();
	until = start + secs;
	for (int i = 0; i < conns; i++)
		pthread_create(&threads[i], NULL, run, &tallies[i]);
	for (int i = 0; i < conns; i++) {
		const struct tally *t = &tallies[i];

		pthread_join(threads[i], NULL);
		sum.sent += t->sent;
		sum.s200 += t->s200;
		sum.s401 += t->s401;
		sum.s503 += t->s503;
		sum.other += t->other;
		sum.neterr += t->neterr;
		if (t->first_bad > 0 && (sum.first_bad == 0 || t->first_bad < sum.first_bad))
			sum.first_bad = t->first_bad;
		if (t->last_bad > sum.last_bad)
			sum.last_bad = t->last_bad;
		if (t->last_ok > sum.last_ok)
			sum.last_ok = t->last_ok;
		if (t->max_ms > sum.max_ms)
			sum.max_ms = t->max_ms;
	}
	secs = now_s() - start;
	printf("sent=%ld s200=%ld s401=%ld s503=%ld other=%ld neterr=%ld secs=%.2f rps=%.0f "
	       "first_bad=%.3f last_bad=%.3f last_ok=%.3f max_ms=%.0f\n", sum.sent, sum.s200,
	       sum.s401, sum.s503, sum.other, sum.neterr, secs, (double)sum.sent / secs,
	       sum.first_bad, sum.last_bad, sum.last_ok, sum.max_ms);
	return 0;
}
