/*
 * leaksig: the signature of GitHub's secret scanning reports (docs/api.md,
 * POST /v1/leaks/github), with OpenSSL's libcrypto: ECDSA over P-256 with
 * SHA-256, the signature base64 of its DER encoding, checked against the
 * public keys of a document in GitHub's format
 *
 *   {"public_keys": [{"key_identifier": "…", "key": "-----BEGIN PUBLIC KEY-----…",
 *                     "is_current": true}, …]}
 *
 * (what https://api.github.com/meta/public_keys/secret_scanning answers, and
 * what leak_public_keys_file holds). Pure: the caller reads the document.
 */
#ifndef PS_LEAKSIG_H
#define PS_LEAKSIG_H

#include <stdbool.h>
#include <stddef.h>

#define LEAKSIG_KEYS_DOC_MAX 65536   /* a keys document is a few KiB */
#define LEAKSIG_KEYS_MAX     32
#define LEAKSIG_ID_MAX       128     /* GitHub's identifiers are 64 hex digits */
#define LEAKSIG_SIG_B64_MAX  512     /* a DER P-256 signature is at most 72 bytes */

enum leaksig_result {
	LEAKSIG_OK = 0,
	LEAKSIG_NO_SIGNATURE,   /* a header missing, empty or too long */
	LEAKSIG_UNKNOWN_KEY,    /* no key of the document has that identifier */
	LEAKSIG_BAD_KEY,        /* that key is not a P-256 public key */
	LEAKSIG_BAD_SIGNATURE,  /* not base64 of strict DER, or does not verify over the body */
	LEAKSIG_BAD_DOCUMENT    /* the keys document itself is malformed */
};

/*
 * Whether both headers are there, nonempty and not too long: what
 * LEAKSIG_NO_SIGNATURE refuses, checkable before the keys document is read.
 * NULL headers are missing ones.
 */
bool leaksig_headers_ok(const char *key_id, const char *sig_b64);

/*
 * Whether sig_b64 (Github-Public-Key-Signature) is the signature of body by
 * the key that doc (len bytes) names key_id (Github-Public-Key-Identifier).
 * NULL headers are missing ones. Only LEAKSIG_OK means verified; the headers
 * are judged first (LEAKSIG_NO_SIGNATURE, whatever doc is).
 */
enum leaksig_result leaksig_verify(const char *doc, size_t doc_len, const char *key_id,
                                   const char *sig_b64, const void *body, size_t body_len);

/*
 * The check of a downloaded document before it replaces the file: JSON in
 * GitHub's format, 1 to LEAKSIG_KEYS_MAX keys, each with a nonempty,
 * distinct identifier of printable ASCII and a public key in PEM, at least
 * one of them on P-256 (*usable: how many; a key on another curve is kept,
 * and never verifies anything). Returns the number of keys, or -1 (*why
 * says what is wrong).
 */
int leaksig_check_document(const char *doc, size_t len, int *usable, const char **why);

#endif
