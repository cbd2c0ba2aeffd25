/*
 * Inboxwatch benchmark compat header -- NOT librdkafka's rdtime.h.
 * rd_clock() and rd_ts_t live in our rd.h; see the comment there.
 */
#include "rd.h"
