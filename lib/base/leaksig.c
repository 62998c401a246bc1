#include "base/leaksig.h"

#include <string.h>
#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <sodium.h>

/* The "public_keys" array of the document, NULL when it is not GitHub's format. */
static json_object *
keys_array(const char *doc, size_t len, json_object **root)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *keys = NULL;

	*root = NULL;
	if (tok == NULL || len == 0 || len > LEAKSIG_KEYS_DOC_MAX)
		goto done;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	*root = json_tokener_parse_ex(tok, doc, (int)len);
	if (*root == NULL || json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(*root, json_type_object) ||
	    !json_object_object_get_ex(*root, "public_keys", &keys) ||
	    !json_object_is_type(keys, json_type_array))
		keys = NULL;
done:
	if (tok != NULL)
		json_tokener_free(tok);
	return keys;
}

/* A string member of an entry, NULL when absent or not a string. */
static const char *
member(json_object *entry, const char *name)
{
	json_object *v = NULL;

	if (!json_object_is_type(entry, json_type_object) ||
	    !json_object_object_get_ex(entry, name, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The PEM public key pem, any kind; NULL when it is not one. */
static EVP_PKEY *
pem_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = bio != NULL ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return k;
}

static bool
is_p256(EVP_PKEY *k)
{
	char group[32];
	size_t glen = 0;

	return EVP_PKEY_is_a(k, "EC") &&
	       EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
	                                      &glen) &&
	       strcmp(group, SN_X9_62_prime256v1) == 0;
}

/* The PEM public key pem when it is an EC key on P-256, else NULL. */
static EVP_PKEY *
p256_key(const char *pem)
{
	EVP_PKEY *k = pem_key(pem);

	if (k != NULL && !is_p256(k)) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

/*
 * The signature's DER bytes into der (*n of them): strict base64 (no white
 * space), and DER that re-encodes to itself, so that a raw r‖s pair or a
 * loose BER encoding is refused rather than guessed at.
 */
static bool
decode_signature(const char *b64, unsigned char *der, size_t cap, size_t *n)
{
	const unsigned char *p = der;
	unsigned char *again = NULL;
	ECDSA_SIG *sig = NULL;
	int len;
	bool ok = false;

	if (sodium_base642bin(der, cap, b64, strlen(b64), NULL, n, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 || *n == 0)
		return false;
	sig = d2i_ECDSA_SIG(NULL, &p, (long)*n);
	if (sig != NULL && p == der + *n && (len = i2d_ECDSA_SIG(sig, &again)) > 0)
		ok = (size_t)len == *n && memcmp(again, der, *n) == 0;
	OPENSSL_free(again);
	ECDSA_SIG_free(sig);
	return ok;
}

static bool
header_ok(const char *h, size_t max)
{
	return h != NULL && h[0] != '\0' && strnlen(h, max + 1) <= max;
}

bool
leaksig_headers_ok(const char *key_id, const char *sig_b64)
{
	return header_ok(key_id, LEAKSIG_ID_MAX) && header_ok(sig_b64, LEAKSIG_SIG_B64_MAX);
}

enum leaksig_result
leaksig_verify(const char *doc, size_t doc_len, const char *key_id, const char *sig_b64,
               const void *body, size_t body_len)
{
	unsigned char der[LEAKSIG_SIG_B64_MAX];
	size_t der_len = 0, i, n;
	json_object *root = NULL, *keys, *entry = NULL;
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *md = NULL;
	enum leaksig_result r = LEAKSIG_NO_SIGNATURE;

	if (!leaksig_headers_ok(key_id, sig_b64))
		goto done;
	r = LEAKSIG_BAD_DOCUMENT;
	if ((keys = keys_array(doc, doc_len, &root)) == NULL)
		goto done;
	n = json_object_array_length(keys);
	for (i = 0; i < n; i++) {
		const char *id = member(json_object_array_get_idx(keys, i), "key_identifier");

		if (id != NULL && strcmp(id, key_id) == 0)
			break;
	}
	r = LEAKSIG_UNKNOWN_KEY;
	if (i == n)
		goto done;
	entry = json_object_array_get_idx(keys, i);
	r = LEAKSIG_BAD_KEY;
	if (member(entry, "key") == NULL || (k = p256_key(member(entry, "key"))) == NULL)
		goto done;
	r = LEAKSIG_BAD_SIGNATURE;
	if (!decode_signature(sig_b64, der, sizeof(der), &der_len) ||
	    (md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) != 1)
		goto done;
	if (EVP_DigestVerify(md, der, der_len, body, body_len) == 1)
		r = LEAKSIG_OK;
done:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	json_object_put(root);
	return r;
}

/* Why entry i of keys cannot be kept, NULL when it can; *p256 when it is a P-256 key. */
static const char *
entry_problem(json_object *keys, size_t i, bool *p256)
{
	json_object *entry = json_object_array_get_idx(keys, i);
	const char *id = member(entry, "key_identifier"), *pem = member(entry, "key");
	EVP_PKEY *k;

	*p256 = false;
	if (id == NULL || id[0] == '\0' || strlen(id) > LEAKSIG_ID_MAX)
		return "a key without a usable key_identifier";
	for (const char *p = id; *p != '\0'; p++)
		if (*p < 0x21 || *p > 0x7e)
			return "a key_identifier that is not printable ASCII";
	for (size_t j = 0; j < i; j++)
		if (strcmp(id, member(json_object_array_get_idx(keys, j), "key_identifier")) == 0)
			return "two keys with one key_identifier";
	if (pem == NULL || (k = pem_key(pem)) == NULL)
		return "a key that is not a public key in PEM";
	*p256 = is_p256(k);
	EVP_PKEY_free(k);
	return NULL;
}

int
leaksig_check_document(const char *doc, size_t len, int *usable, const char **why)
{
	json_object *root, *keys = keys_array(doc, len, &root);
	size_t n = keys != NULL ? json_object_array_length(keys) : 0;
	bool p256 = false;
	int count = -1;

	*usable = 0;
	*why = keys == NULL ? "not a JSON object with a \"public_keys\" array" :
	       n == 0 ? "no public key" : n > LEAKSIG_KEYS_MAX ? "too many public keys" : NULL;
	for (size_t i = 0; *why == NULL && i < n; i++) {
		*why = entry_problem(keys, i, &p256);
		*usable += p256;
	}
	if (*why == NULL && *usable == 0)
		*why = "no P-256 public key";
	if (*why == NULL)
		count = (int)n;
	json_object_put(root);
	return count;
}
