/*
 * Unit tests of lib/base/leaksig.c: GitHub's report signature (ECDSA P-256
 * SHA-256, base64 DER) against a keys document, with key pairs made here
 * (never a real GitHub key): a valid signature, a body changed by one byte,
 * an unknown identifier, keys on other curves, a raw r‖s signature, missing
 * headers; and the check of a downloaded document.
 */
#include "../../../lib/base/leaksig.c"
#include "../harness.h"

#include <openssl/bn.h>

static EVP_PKEY *k256, *k256b, *k384, *k256k1;

static EVP_PKEY *
gen(const char *curve)
{
	EVP_PKEY *k = EVP_EC_gen(curve);

	if (k == NULL) {
		fprintf(stderr, "cannot make a %s key\n", curve);
		exit(1);
	}
	return k;
}

/* The PEM of k's public key, in static storage (one of 4 rotating buffers). */
static const char *
pem(EVP_PKEY *k)
{
	static char out[4][1024];
	static int next;
	char *s = out[next++ % 4];
	BIO *b = BIO_new(BIO_s_mem());
	int n;

	PEM_write_bio_PUBKEY(b, k);
	n = BIO_read(b, s, 1023);
	s[n > 0 ? n : 0] = '\0';
	BIO_free(b);
	return s;
}

/* A keys document with one or two entries ("" key: none), JSON-escaped by json-c. */
static char *
doc2(const char *id1, const char *pem1, const char *id2, const char *pem2)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	const char *ids[2] = {id1, id2}, *pems[2] = {pem1, pem2};
	char *out;

	for (int i = 0; i < 2; i++) {
		json_object *e;

		if (ids[i] == NULL)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "key_identifier", json_object_new_string(ids[i]));
		json_object_object_add(e, "key", json_object_new_string(pems[i]));
		json_object_object_add(e, "is_current", json_object_new_boolean(i == 0));
		json_object_array_add(arr, e);
	}
	json_object_object_add(root, "public_keys", arr);
	out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return out;
}

/* Base64 of k's DER signature over body; raw: r‖s (32 + 32 bytes) instead. */
static void
sign(EVP_PKEY *k, const char *body, bool raw, char out[LEAKSIG_SIG_B64_MAX])
{
	unsigned char der[128], rs[64];
	size_t n = sizeof(der);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	const unsigned char *p = der;

	EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k);
	EVP_DigestSign(md, der, &n, (const unsigned char *)body, strlen(body));
	EVP_MD_CTX_free(md);
	if (raw) {
		ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)n);

		BN_bn2binpad(ECDSA_SIG_get0_r(s), rs, 32);
		BN_bn2binpad(ECDSA_SIG_get0_s(s), rs + 32, 32);
		ECDSA_SIG_free(s);
		sodium_bin2base64(out, LEAKSIG_SIG_B64_MAX, rs, 64, sodium_base64_VARIANT_ORIGINAL);
		return;
	}
	sodium_bin2base64(out, LEAKSIG_SIG_B64_MAX, der, n, sodium_base64_VARIANT_ORIGINAL);
}

static const char body[] =
	"[{\"token\":\"sk_x\",\"type\":\"parsesphere_api_key\","
	"\"url\":\"https://github.com/o/r/blob/1/f\",\"source\":\"content\"}]";

static void
test_verify(void)
{
	enum sigkind { GOOD, RAW, BY_OTHER, BY_384, GARBAGE, NONE, LOOSE_B64, TRAILING };
	static const struct {
		int line;
		int doc;                    /* 0: "a" P-256 + "b" P-256; 1: "a" P-384; 2: "a" secp256k1; 3: bad */
		const char *id;             /* NULL: header missing */
		enum sigkind sig;
		int flip;                   /* >= 0: that body byte changed after signing */
		enum leaksig_result want;
	} cases[] = {
		{__LINE__, 0, "a", GOOD, -1, LEAKSIG_OK},
		{__LINE__, 0, "a", GOOD, 0, LEAKSIG_BAD_SIGNATURE},
		{__LINE__, 0, "a", GOOD, 40, LEAKSIG_BAD_SIGNATURE},
		{__LINE__, 0, "a", GOOD, (int)sizeof(body) - 2, LEAKSIG_BAD_SIGNATURE},
		{__LINE__, 0, "b", BY_OTHER, -1, LEAKSIG_OK},
		{__LINE__, 0, "a", BY_OTHER, -1, LEAKSIG_BAD_SIGNATURE},   /* signed by b, named a */
		{__LINE__, 0, "c", GOOD, -1, LEAKSIG_UNKNOWN_KEY},
		{__LINE__, 0, "A", GOOD, -1, LEAKSIG_UNKNOWN_KEY},          /* identifiers are exact */
		{__LINE__, 0, "", GOOD, -1, LEAKSIG_NO_SIGNATURE},
		{__LINE__, 0, NULL, GOOD, -1, LEAKSIG_NO_SIGNATURE},
		{__LINE__, 0, "a", NONE, -1, LEAKSIG_NO_SIGNATURE},
		{__LINE__, 0, "a", RAW, -1, LEAKSIG_BAD_SIGNATURE},
		{__LINE__, 0, "a", GARBAGE, -1, LEAKSIG_BAD_SIGNATURE},
		{__LINE__, 0, "a", LOOSE_B64, -1, LEAKSIG_BAD_SIGNATURE},
		{__LINE__, 0, "a", TRAILING, -1, LEAKSIG_BAD_SIGNATURE},
		/* The document names keys of other curves: refused, even with their own signature. */
		{__LINE__, 1, "a", BY_384, -1, LEAKSIG_BAD_KEY},
		{__LINE__, 2, "a", GOOD, -1, LEAKSIG_BAD_KEY},
		{__LINE__, 3, "a", GOOD, -1, LEAKSIG_BAD_DOCUMENT},
		/* The headers are judged first, whatever the document. */
		{__LINE__, 3, NULL, GOOD, -1, LEAKSIG_NO_SIGNATURE},
		{__LINE__, 3, "a", NONE, -1, LEAKSIG_NO_SIGNATURE},
	};
	char *docs[4] = {doc2("a", pem(k256), "b", pem(k256b)), doc2("a", pem(k384), NULL, NULL),
	                 doc2("a", pem(k256k1), NULL, NULL), strdup("{\"public_keys\":{}}")};
	char sig[LEAKSIG_SIG_B64_MAX + 8];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char b[sizeof(body)];
		enum leaksig_result got;
		size_t n;

		memcpy(b, body, sizeof(body));
		switch (cases[i].sig) {
		case GOOD: sign(cases[i].doc == 2 ? k256k1 : k256, body, false, sig); break;
		case RAW: sign(k256, body, true, sig); break;
		case BY_OTHER: sign(k256b, body, false, sig); break;
		case BY_384: sign(k384, body, false, sig); break;
		case GARBAGE: strcpy(sig, "not base64 at all!"); break;
		case NONE: sig[0] = '\0'; break;
		case LOOSE_B64:   /* white space inside the base64 */
			sign(k256, body, false, sig);
			memmove(sig + 5, sig + 4, strlen(sig + 4) + 1);
			sig[4] = ' ';
			break;
		case TRAILING:    /* a byte after the DER sequence */
			sign(k256, body, false, sig);
			n = strlen(sig);
			strcpy(sig + n - (sig[n - 2] == '=' ? 2 : sig[n - 1] == '=' ? 1 : 0), "AA==");
			break;
		}
		if (cases[i].flip >= 0)
			b[cases[i].flip] ^= 0x01;
		got = leaksig_verify(docs[cases[i].doc], strlen(docs[cases[i].doc]), cases[i].id,
		                     cases[i].sig == NONE ? NULL : sig, b, strlen(body));
		CHECK_AT(got == cases[i].want, cases[i].line, "leaksig_verify: %d, want %d", got,
		         cases[i].want);
	}
	for (int i = 0; i < 4; i++)
		free(docs[i]);
}

static void
test_document(void)
{
	static const struct {
		int line;
		const char *id1;
		int key1;                   /* 0: P-256, 1: P-384, 2: secp256k1, 3: not PEM */
		const char *id2;            /* NULL: one entry (else a P-256 key) */
		int want, usable;
	} cases[] = {
		{__LINE__, "a", 0, NULL, 1, 1},
		{__LINE__, "a", 0, "b", 2, 2},
		/* Keys of other curves are kept (they never verify) beside a P-256 one. */
		{__LINE__, "a", 1, "b", 2, 1},
		{__LINE__, "a", 2, "b", 2, 1},
		{__LINE__, "a", 1, NULL, -1, 0},      /* no P-256 key at all */
		{__LINE__, "a", 2, NULL, -1, 0},
		{__LINE__, "a", 0, "a", -1, 0},       /* one identifier twice */
		{__LINE__, "", 0, NULL, -1, 0},
		{__LINE__, "a b", 0, NULL, -1, 0},
		{__LINE__, "a", 3, "b", -1, 0},
	};
	static const char *const raw[] = {
		"", "[]", "{}", "{\"public_keys\":[]}", "{\"public_keys\":[1]}",
		"{\"public_keys\":[{\"key_identifier\":\"a\"}]}", "{\"public_keys\":[]} x",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EVP_PKEY *ks[] = {k256, k384, k256k1};
		const char *p1 = cases[i].key1 == 3 ? "-----BEGIN PUBLIC KEY-----\nAAAA\n" :
		                 pem(ks[cases[i].key1]);
		char *d = doc2(cases[i].id1, p1, cases[i].id2, pem(k256b));
		const char *why = NULL;
		int usable = -1, got = leaksig_check_document(d, strlen(d), &usable, &why);

		CHECK_AT(got == cases[i].want && (got >= 0) == (why == NULL) &&
		         (got < 0 || usable == cases[i].usable), cases[i].line,
		         "leaksig_check_document: %d (%s), %d usable; want %d, %d", got,
		         why ? why : "", usable, cases[i].want, cases[i].usable);
		free(d);
	}
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		const char *why = NULL;
		int usable;

		CHECK(leaksig_check_document(raw[i], strlen(raw[i]), &usable, &why) == -1 &&
		      why != NULL, "document [%s] accepted", raw[i]);
	}
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	k256 = gen("P-256");
	k256b = gen("P-256");
	k384 = gen("P-384");
	k256k1 = gen("secp256k1");
	test_verify();
	test_document();
	EVP_PKEY_free(k256);
	EVP_PKEY_free(k256b);
	EVP_PKEY_free(k384);
	EVP_PKEY_free(k256k1);
	return harness_summary();
}
