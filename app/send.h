/*
 * send: writes a response to its FastCGI request's output stream (head, then
 * body), for every program that answers over FastCGI (server, demo backend).
 * The response stays the caller's; nothing is buffered here.
 */
#ifndef PS_SEND_H
#define PS_SEND_H

#include <fcgiapp.h>

#include "http/response.h"

void send_response(FCGX_Request *fr, const struct response *resp);

#endif
