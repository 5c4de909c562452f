/* version.h - the one version number of cachesim, cachesim-annotate and
 * cachesim-diff (they ship together). */
#ifndef CACHESIM_VERSION_H
#define CACHESIM_VERSION_H
#define CACHESIM_VERSION "0.1.0"
#endif
