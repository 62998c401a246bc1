/*
 * log: one line per event on standard error (the web server or the run
 * script collects it). Callers never pass secrets: keys, peppers, passwords
 * and request bodies are not logged, only ids.
 */
#ifndef PS_LOG_H
#define PS_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
