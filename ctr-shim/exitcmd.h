/* SPDX-License-Identifier: Apache-2.0 */
/* --exit-command: run as the shim leaves, at once or once its caller is gone. */
#ifndef CTR_SHIM_EXITCMD_H
#define CTR_SHIM_EXITCMD_H

struct shim;

/*
 * --exit-command-after PID: take a pidfd of PID and open the container's
 * directory (--bundle/..). Call before detaching, while PID is our parent.
 */
void exitcmd_watch(struct shim *s);
/*
 * Start the --exit-command with the id appended, in a new session, if there
 * is one. With --exit-command-after, a child of ours waits for that process
 * to exit first and starts it only if the container's directory is still
 * there: the caller deletes the container itself while it lives.
 */
void exitcmd_run(struct shim *s);

#endif
