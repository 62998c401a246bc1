#include "send.h"

void
send_response(FCGX_Request *fr, const struct response *resp)
{
	char head[RESPONSE_HEAD_MAX];
	size_t body_len, head_len;
	const char *body = response_body(resp, &body_len);

	head_len = response_head(resp, body_len, head, sizeof(head));
	FCGX_PutStr(head, (int)head_len, fr->out);
	FCGX_PutStr(body, (int)body_len, fr->out);
}
