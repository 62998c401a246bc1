#include "data/store_leaks.h"

#include <string.h>

#include "data/rows.h"

static struct db_stmt st_leak_insert = DB_STMT(false,
	"INSERT INTO api_key_leaks (api_key_id, url, source, reported_at) VALUES (?, ?, ?, ?)");

enum db_status
store_leak_insert(struct db *db, const uint8_t id[UUID_LEN], const char *url, const char *source,
                  int64_t now)
{
	MYSQL_BIND in[4];
	MYSQL_TIME t;
	my_bool url_nul = url[0] == '\0';

	db_time_from_us(&t, now);
	db_in_blob(&in[0], id, UUID_LEN);
	db_bind(&in[1], MYSQL_TYPE_STRING, (void *)url, strlen(url), NULL, &url_nul);
	db_in_str(&in[2], source, strlen(source));
	db_in_time(&in[3], &t);
	return db_exec(db, &st_leak_insert, in, NULL);
}

static struct db_stmt st_leak_url = DB_STMT(true,
	"SELECT url FROM api_key_leaks WHERE api_key_id = ?");

enum db_status
store_leak_url(struct db *db, const uint8_t id[UUID_LEN], char url[STORE_LEAK_URL_MAX + 1],
               bool *found)
{
	MYSQL_BIND in[1], res[1];
	unsigned long len = 0;
	my_bool nul = 0;
	enum db_status rc;

	db_in_blob(&in[0], id, UUID_LEN);
	db_out_str(&res[0], url, STORE_LEAK_URL_MAX, &len, &nul);
	rc = rows_query_one(db, &st_leak_url, in, res, found);
	url[rc == DB_OK && *found && !nul && len <= STORE_LEAK_URL_MAX ? len : 0] = '\0';
	return rc;
}
