/*
 * profile_int.h — helpers shared by the profile module's own files, included by no other
 * module.
 *
 * A long pass over a profile (a filter, granularity, a transform) may be stopped by
 * another thread through a flag it reads every PROF_CANCEL_EVERY units of work (a
 * location, a sample's frames): often enough to stop within milliseconds, rarely enough
 * that reading it costs nothing next to the work.
 *
 * Ownership: nothing here allocates; the flag is the caller's (NULL: never set).
 */
#ifndef SMOLDER_PROFILE_INT_H
#define SMOLDER_PROFILE_INT_H

#include <stdatomic.h>
#include <stddef.h>

#include "base/err.h"

#define PROF_CANCEL_EVERY 4096

/*
 * 0 while *work is under PROF_CANCEL_EVERY; once it has reached it, *work restarts at 0
 * and the flag is read: set, ERR_CANCELLED ("WHAT cancelled").  A pass that starts *work
 * at PROF_CANCEL_EVERY reads the flag before its first unit.
 */
static inline int prof_cancel_poll(atomic_int *cancel, size_t *work, const char *what)
{
	if (*work < PROF_CANCEL_EVERY)
		return 0;
	*work = 0;
	if (cancel && atomic_load_explicit(cancel, memory_order_relaxed))
		return err_set(ERR_CANCELLED, "%s cancelled", what);
	return 0;
}

#endif
