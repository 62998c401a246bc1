# ParseSphere authentication service. `make run` and `make test` are the two
# commands a newcomer needs (README.md); both install missing Debian packages.

CC       ?= cc
OPT      ?= -O2
BUILD    ?= build
SAN      ?=
CPPFLAGS += -D_GNU_SOURCE -Ilib -I/usr/include/mariadb -I/usr/include/json-c
CFLAGS   += -std=c11 $(OPT) -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -fstack-protector-strong -D_FORTIFY_SOURCE=2 $(SAN)
LDFLAGS  += $(SAN)
LDLIBS   += -lfcgi -lmariadb -ljson-c -lsodium -lcrypto

LIB_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(wildcard lib/*.c lib/*/*.c))
SERVER_OBJ := $(patsubst %.c,$(BUILD)/%.o,app/server.c app/master.c app/worker.c \
                app/api.c app/keys.c app/audit.c app/me.c app/health.c app/scrape.c app/leaks.c \
                app/observe.c app/dashboard.c app/dashboard_login.c app/dashboard_keys.c \
                app/dashboard_activity.c app/dashboard_page.c \
                app/dashboard_assets.c app/send.c app/finish.c app/acceptwait.c)
ADMIN_OBJ  := $(BUILD)/app/admin.o
NULL_OBJ   := $(BUILD)/app/nullfcgi.o $(BUILD)/app/finish.o $(BUILD)/app/acceptwait.o $(BUILD)/app/master.o $(BUILD)/lib/base/log.o \
              $(BUILD)/lib/base/validate.o \
              $(BUILD)/lib/base/timefmt.o $(BUILD)/lib/base/config.o $(BUILD)/lib/base/addrlist.o
DEMO_OBJ   := $(patsubst %.c,$(BUILD)/%.o,app/parses_demo.c app/send.c lib/http/request.c \
                lib/base/validate.c lib/http/router.c lib/http/response.c lib/http/jsonw.c lib/base/errors.c lib/base/uuid.c \
                lib/base/timefmt.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c tests/unit/*/test_*.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
ITEST_SRC  := $(wildcard tests/integration/*.c)
ASAN       := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all deps run test unit unit-asan server-asan integration bench fuzz clean cluster-test
all: $(BUILD)/parsesphere-fcgi $(BUILD)/parsesphere-admin $(BUILD)/parsesphere-null \
     $(BUILD)/parsesphere-parses-demo

# -MMD -MP: each object depends on the headers it includes, no more.
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/parsesphere-fcgi: $(SERVER_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/parsesphere-admin: $(ADMIN_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/parsesphere-null: $(NULL_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The demo endpoint behind the FastCGI Authorizer (conf/lighttpd.conf, conf/apache/).
$(BUILD)/parsesphere-parses-demo: $(DEMO_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests #include the unit under test, so each is one translation unit.
$(BUILD)/tests/%: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -o $@ $< $(LDFLAGS) $(LDLIBS)

$(BUILD)/tests/integration: $(ITEST_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -o $@ $(ITEST_SRC) $(LDFLAGS) -ljson-c -lsodium -lcrypto

# scripts/cluster-test's load client: counts exactly what it sent.
$(BUILD)/tests/cluster-load: tests/cluster/load.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -o $@ $< $(LDFLAGS) -lpthread

deps:
	@scripts/deps

unit: $(UNIT_BIN)
	@scripts/unit $(UNIT_BIN)

unit-asan:
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/asan SAN="$(ASAN)" OPT=-O1 unit

# The server built with ASan+UBSan, for an integration pass (scripts/test).
server-asan:
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/asan SAN="$(ASAN)" OPT=-O1 \
		$(BUILD)/asan/parsesphere-fcgi

# The integration suite alone through lighttpd on a private stack (TESTS: some of them).
integration: deps all $(BUILD)/tests/integration
	@BUILD=$(BUILD) scripts/integration $(TESTS)

# The whole suite on a private stack; the last line is "N passed, N failed".
test: deps
	@scripts/test

run: deps all
	@scripts/run

# Three MariaDB Galera nodes and two web hosts on this machine (README "Scaling
# out"); CLUSTER_ROUNDS: iterations of the revocation check (500).
cluster-test: deps all $(BUILD)/tests/cluster-load
	@BUILD=$(BUILD) scripts/cluster-test

FUZZ_SECONDS ?= 60

# libFuzzer drivers of tests/fuzz/ (clang, ASan+UBSan), each for FUZZ_SECONDS.
fuzz:
	@BUILD=$(BUILD) scripts/fuzz $(FUZZ_SECONDS)

# Throughput and latency against a baseline measured in the same run (docs/bench.md).
bench: deps all $(BUILD)/tests/integration
	@scripts/bench

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
