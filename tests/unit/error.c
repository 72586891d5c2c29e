// SPDX-License-Identifier: GPL-2.0
/* The error channel: a message is given back only for the error it was recorded with. */
#include <errno.h>
#include <string.h>

#include "error.h"
#include "tap.h"

int main(void)
{
	is_str(zcg_strerror(-ENOENT), strerror(ENOENT), "nothing recorded: strerror");
	ok(!zcg_error_message(-ENOENT), "nothing recorded: no message");

	is_int(zcg_error(-EINVAL, "bad %s line %d", "x.conf", 3), -EINVAL, "zcg_error returns r");
	is_str(zcg_strerror(-EINVAL), "bad x.conf line 3", "the message for its own error");
	is_str(zcg_error_message(EINVAL), "bad x.conf line 3", "asked with a positive errno too");
	/* a failure handled and forgotten never explains a later, different one */
	is_str(zcg_strerror(-ENOMEM), strerror(ENOMEM), "another error gets its strerror, not the message");
	ok(!zcg_error_message(-ENOMEM), "and no message");

	is_int(zcg_error_errno(-EACCES, "cannot open %s", "/a"), -EACCES, "zcg_error_errno returns r");
	is_str(zcg_strerror(-EACCES), "cannot open /a: Permission denied", "with strerror appended");
	ok(!zcg_error_message(-EINVAL), "the newer message replaces the older");
	is_str(zcg_strerror(0), strerror(0), "0 has no message");
	return done_testing();
}
