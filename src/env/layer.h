#ifndef BLITZ_LAYER_H
#define BLITZ_LAYER_H

#include <stddef.h>

/*
 * Layers: a venv holding the deps several envs share (same interpreter, same
 * install settings), installed once and cloned into each of them, so a
 * matrix of 90 envs does not unpack the same pytest 90 times.
 */

/*
 * Put what the venv layer holds into the venv env (a fresh venv of the same
 * interpreter): every file the env does not have yet, its own folders made,
 * each file a reflink where the file system can (a copy that shares blocks
 * until written), else a hard link, else a copy keeping the modification
 * time (so byte-compiled files stay valid). A small file under bin/ that
 * names the layer's path (a console script's #! line) is written anew with
 * the env's path instead. Returns 0, or -1 with why in err.
 */
int layer_clone(const char *layer, const char *env, char *err, size_t errsz);

/*
 * A layer is built in a folder of its own and renamed into place when
 * complete; its mark (LAYER/.blitz-layer) says where it was built, the path
 * its scripts name. layer_mark writes it; layer_built_at returns it
 * (allocated), or NULL when layer is not a complete layer.
 */
int layer_mark(const char *layer, const char *built_at);
char *layer_built_at(const char *layer);

#endif
