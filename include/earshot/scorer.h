/*
 * earshot/scorer.h — the C ABI of Earshot scorer plugins (C99).
 *
 * A scorer plugin is a shared library that earshotd opens with dlopen
 * (RTLD_NOW | RTLD_LOCAL) when it is listed in `[scorers] plugins` of the
 * config. It exports exactly two symbols:
 *
 *   uint32_t earshot_scorer_abi(void);
 *       The ABI version the plugin was compiled against, as
 *       EARSHOT_ABI_VERSION(major, minor). Write `EARSHOT_SCORER_ABI_DEFINE()`
 *       once in one source file to define it. The host calls it BEFORE
 *       anything else and refuses the file unless the major equals its own
 *       and the minor is not newer than its own.
 *
 *   int32_t earshot_scorer_init(const earshot_host_api *host,
 *                               earshot_scorer_descriptor *descriptor,
 *                               earshot_error *error);
 *       Called once per file, after the version check. The plugin checks
 *       `host->abi_major` (and `host->abi_minor` for any feature newer than
 *       1.0 it wants), fills `descriptor` and returns EARSHOT_OK; anything
 *       else refuses the plugin with `error->text` as the reason.
 *
 * See docs/PLUGINS.md for how to write, build, install and configure one.
 *
 * VERSIONING
 *   Minor versions only append: new fields at the end of a struct (each
 *   struct a host hands out starts with its size), new functions at the end
 *   of the host API table, new callbacks at the end of the descriptor.
 *   A plugin built against 1.N runs on every host 1.M with M >= N. A new
 *   major changes layouts or meanings; it is never loaded by an older host.
 *
 * THREADING
 *   - `earshot_scorer_init` runs once, on a host thread that is not an I/O
 *     thread, before any other callback.
 *   - `load` runs at daemon start and at every reload, on a host thread
 *     that serves no request. It may block (read files, build indexes). While
 *     it runs, models from the previous load keep serving on other threads:
 *     a model must not share mutable state with another model.
 *   - `recommend`, `similar` and `score` are called concurrently, from many
 *     threads, on the same model. The model is immutable once `load` has
 *     returned; a callback may use only its arguments, the model and stack
 *     or its own allocations. They must not block on I/O.
 *   - `free_model` is called exactly once per model, after every call on it
 *     has returned and none can start.
 *   - Every host API function may be called from any thread.
 *
 * OWNERSHIP AND LIFETIMES
 *   - Strings and buffers the plugin hands the host in the descriptor (name,
 *     version, summary) are static: they live as long as the process. The
 *     host never unloads a plugin (dlclose): a thread may still be running
 *     its code, and the Swift and C++ runtimes a plugin may link register
 *     state that cannot be taken back.
 *   - Everything the host hands a callback (requests, listener histories,
 *     exclusion bitsets, the load context, settings strings) is owned by the
 *     host and valid only until the callback returns, unless said otherwise.
 *   - The catalogue (earshot_catalogue) and tensors (earshot_tensor) stay
 *     valid from `load` until `free_model` of that model returns. Tensors may
 *     be memory-mapped files: they are read-only, never copied by the host,
 *     and writing to them is undefined.
 *   - Result buffers (earshot_result.items / .scores, score outputs) are
 *     host-owned with the capacity stated; the plugin writes into them.
 *   - A model is a `void *` the plugin allocates in `load` and releases in
 *     `free_model`; the host never looks inside it.
 *
 * ITEMS
 *   A model addresses its items by a dense index 0..<item_count. A model
 *   whose items are the catalogue's tracks in catalogue order sets
 *   `item_ids` to NULL in its earshot_model_info. Histories, seeds and
 *   exclusions arrive in the model's item space; items the model does not
 *   know are dropped by the host before the call.
 *
 * ERRORS
 *   Callbacks return an earshot_status. On failure they write one line of
 *   text, saying what to do next, into `error->text` (at most
 *   EARSHOT_ERROR_CAPACITY bytes with the NUL, for instance with snprintf).
 *   The daemon shows it in `scorers`, `info` and its log. Plugins run inside
 *   the daemon's process, like Redis modules: a crash in a plugin is a crash
 *   of the daemon; anything else it reports leaves every other scorer serving.
 */
#ifndef EARSHOT_SCORER_H
#define EARSHOT_SCORER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EARSHOT_ABI_MAJOR 1
#define EARSHOT_ABI_MINOR 0
#define EARSHOT_ABI_VERSION(major, minor) ((uint32_t)(((uint32_t)(major) << 16) | ((uint32_t)(minor) & 0xffffu)))
#define EARSHOT_ABI_VERSION_MAJOR(version) ((uint32_t)(version) >> 16)
#define EARSHOT_ABI_VERSION_MINOR(version) ((uint32_t)(version) & 0xffffu)

#if defined(__GNUC__) || defined(__clang__)
#define EARSHOT_EXPORT __attribute__((visibility("default")))
#else
#define EARSHOT_EXPORT
#endif

/* The names of the two symbols a plugin exports. */
#define EARSHOT_SCORER_ABI_SYMBOL "earshot_scorer_abi"
#define EARSHOT_SCORER_INIT_SYMBOL "earshot_scorer_init"

/* Defines `earshot_scorer_abi` with the version of this header. */
#define EARSHOT_SCORER_ABI_DEFINE() \
    EARSHOT_EXPORT uint32_t earshot_scorer_abi(void) { return EARSHOT_ABI_VERSION(EARSHOT_ABI_MAJOR, EARSHOT_ABI_MINOR); }

/* ---- Status and errors ------------------------------------------------ */

typedef int32_t earshot_status;
enum {
    EARSHOT_OK = 0,
    /* load: the scorer cannot serve (missing snapshot part, bad setting, …). */
    EARSHOT_NOT_READY = 1,
    /* recommend/score: the user is unknown and the history is empty. */
    EARSHOT_UNKNOWN_USER = 2,
    /* similar/score: no seed or history item is known to the model. */
    EARSHOT_NO_KNOWN_ITEMS = 3,
    /* Anything else; the text says what. */
    EARSHOT_FAILED = 4
};

#define EARSHOT_ERROR_CAPACITY 512

/* Host-owned, zeroed before each call that may fail. */
typedef struct earshot_error {
    char text[EARSHOT_ERROR_CAPACITY];
} earshot_error;

/* ---- Logging ------------------------------------------------------------ */

enum {
    EARSHOT_LOG_DEBUG = 0,
    EARSHOT_LOG_INFO = 1,
    EARSHOT_LOG_NOTICE = 2,
    EARSHOT_LOG_WARNING = 3,
    EARSHOT_LOG_ERROR = 4
};

/* ---- The catalogue ------------------------------------------------------ */

/* Audio features per track, in this order (Spotify Web API units). */
enum {
    EARSHOT_FEATURE_DANCEABILITY = 0,
    EARSHOT_FEATURE_ENERGY,
    EARSHOT_FEATURE_KEY,
    EARSHOT_FEATURE_LOUDNESS,
    EARSHOT_FEATURE_MODE,
    EARSHOT_FEATURE_SPEECHINESS,
    EARSHOT_FEATURE_ACOUSTICNESS,
    EARSHOT_FEATURE_INSTRUMENTALNESS,
    EARSHOT_FEATURE_LIVENESS,
    EARSHOT_FEATURE_VALENCE,
    EARSHOT_FEATURE_TEMPO,
    EARSHOT_FEATURE_TIME_SIGNATURE,
    EARSHOT_FEATURE_COUNT
};

/*
 * The daemon's catalogue, read-only, as arrays indexed by catalogue row
 * 0..<track_count. Valid from `load` until `free_model` of that model.
 * Artists and genres are interned: a track lists indices into artist_names
 * and genre_names, compressed-row style (the artists of track r are
 * track_artists[artist_offsets[r] ..< artist_offsets[r + 1]], primary first).
 */
typedef struct earshot_catalogue {
    uint32_t struct_size;
    int32_t track_count;
    const char *const *track_ids;     /* [track_count] */
    const char *const *track_names;   /* [track_count] */
    /* Versions of one song (same normalized title and primary artist) share a song index. */
    const int32_t *song_of_track;     /* [track_count] */
    int32_t song_count;
    const int32_t *artist_offsets;    /* [track_count + 1] */
    const int32_t *track_artists;     /* [artist_offsets[track_count]] */
    int32_t artist_count;
    const char *const *artist_names;  /* [artist_count] */
    const int32_t *genre_offsets;     /* [track_count + 1] */
    const int32_t *track_genres;      /* [genre_offsets[track_count]] */
    int32_t genre_count;
    const char *const *genre_names;   /* [genre_count] */
    const int32_t *popularity;        /* [track_count], 0–100 */
    /* [track_count * EARSHOT_FEATURE_COUNT], row-major; NaN for a track without features. */
    const float *features;
    /* Identifies the catalogue's content (changes when it does). */
    const char *fingerprint;
} earshot_catalogue;

/* ---- Snapshot tensors -------------------------------------------------- */

enum { EARSHOT_DTYPE_F32 = 1, EARSHOT_DTYPE_I64 = 2 };

/*
 * A tensor of the scorer's snapshot part (`<part>/<stem>.npy`), row-major,
 * read-only, possibly memory-mapped; valid until `free_model` returns.
 */
typedef struct earshot_tensor {
    uint32_t struct_size;
    int32_t dtype;       /* EARSHOT_DTYPE_* */
    int32_t rank;        /* 1 or 2 */
    int64_t shape[2];    /* shape[1] = 1 for rank 1 */
    const void *data;    /* shape[0] * shape[1] elements */
} earshot_tensor;

/* ---- Loading -------------------------------------------------------------- */

typedef struct earshot_host earshot_host;          /* the host's handle for one plugin file */
typedef struct earshot_load_context earshot_load_context;  /* one load */
typedef struct earshot_source earshot_source;      /* another scorer, read by a blend */
typedef struct earshot_collector earshot_collector; /* the host's song/artist-aware top-k */

/* What `load` tells the host about the model it built. */
typedef struct earshot_model_info {
    uint32_t struct_size;
    /* The model's items; item_ids NULL means "the catalogue's rows, in order". */
    int32_t item_count;
    const char *const *item_ids;  /* owned by the model, valid until free_model */
    /* Facts shown by `scorers` under `model` (e.g. "items", "dims"); up to 8. */
    int32_t fact_count;
    const char *fact_names[8];    /* owned by the model */
    int64_t fact_values[8];
} earshot_model_info;

/* ---- Requests ---------------------------------------------------------------- */

/* One listener: a user (may be NULL) and the items they played, weighted. */
typedef struct earshot_listener {
    const char *user;
    int32_t history_count;
    const int32_t *history_items;   /* model item indices, oldest first */
    const float *history_weights;
} earshot_listener;

/*
 * What one answer must respect, checked inside the scan so that k results
 * come back in one pass:
 *   - `exclusion`: bitset over the model's items (bit i of word i / 64); an
 *     excluded item must never be returned.
 *   - when `song_of_item` is not NULL, at most one item per song (the best),
 *     and no item of a song whose bit is set in `excluded_songs` (may be NULL);
 *   - when `max_per_artist` > 0, at most that many items per primary artist
 *     (`artist_of_item`).
 * `song_of_item` and `artist_of_item` hold -1 for items the catalogue lacks
 * (those are not limited); they are valid for the model's lifetime.
 * The easy way to respect all of it is the `collector`: offer it every
 * non-excluded item whose score beats the threshold it returned last; it
 * keeps the best k that respect the limits and writes them into the result
 * when the plugin calls `collector_finish`.
 */
typedef struct earshot_constraints {
    const uint64_t *exclusion;      /* [(item_count + 63) / 64] */
    const int32_t *song_of_item;    /* [item_count] or NULL */
    const uint64_t *excluded_songs; /* [(song_count + 63) / 64] or NULL */
    const int32_t *artist_of_item;  /* [item_count] or NULL */
    int32_t max_per_artist;         /* 0: no limit */
    earshot_collector *collector;   /* never NULL */
} earshot_constraints;

/* Host-owned result buffers for one answer: up to `capacity` (= k) items, best first. */
typedef struct earshot_result {
    int32_t capacity;
    int32_t count;          /* written by the plugin (or collector_finish) */
    int32_t *items;         /* [capacity] */
    float *scores;          /* [capacity] */
    earshot_status status;  /* per request of a batch */
    earshot_error error;
} earshot_result;

typedef struct earshot_recommend_request {
    earshot_listener listener;
    int32_t k;
    earshot_constraints constraints;
} earshot_recommend_request;

enum { EARSHOT_SEEDS_AVERAGE = 0, EARSHOT_SEEDS_WEIGHTED = 1, EARSHOT_SEEDS_MAX = 2 };

typedef struct earshot_similar_request {
    int32_t seed_count;
    const int32_t *seeds;   /* model item indices, most recent last */
    int32_t strategy;       /* EARSHOT_SEEDS_* */
    int32_t k;
    earshot_constraints constraints;
} earshot_similar_request;

/* ---- The host API table ------------------------------------------------- */

typedef struct earshot_host_api {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    /* The host program, "earshot" (the daemon and `earshot plugin check`). */
    const char *host_version;

    /* Logs one line into the daemon's log, tagged with the plugin's name. */
    void (*log)(const earshot_host *host, int32_t level, const char *message);

    /* During `load`: the catalogue (valid until free_model). */
    const earshot_catalogue *(*catalogue)(const earshot_load_context *context);
    /* The catalogue row of a track id, -1 when absent. */
    int32_t (*catalogue_row)(const earshot_catalogue *catalogue, const char *track_id);

    /* During `load`: the scorer's own snapshot part folder (absolute path), NULL
     * when the snapshot has no part named like the scorer. Valid during load. */
    const char *(*part_folder)(const earshot_load_context *context);
    /* During `load`: a tensor of the part by file stem ("item_factors" for
     * item_factors.npy); EARSHOT_OK, or EARSHOT_NOT_READY with the reason. */
    earshot_status (*part_tensor)(const earshot_load_context *context, const char *stem, earshot_tensor *tensor,
                                  earshot_error *error);
    /* During `load`: a value of the `[scorer.<name>]` table as text, NULL when
     * unset. Valid during load: copy what the model keeps. */
    const char *(*setting)(const earshot_load_context *context, const char *key);

    /* The collector (see earshot_constraints): records a candidate and returns
     * the score the next candidate must beat (-INFINITY until k are kept). */
    float (*collector_offer)(earshot_collector *collector, int32_t item, float score);
    /* Writes the kept items, best first, into the result the collector belongs to. */
    void (*collector_finish)(earshot_collector *collector);

    /*
     * Blends: another scorer of this daemon by name, during `load`; NULL (and
     * the reason in `error`) when there is none or it is not ready. The source
     * was loaded before this scorer in the same reload and stays alive until
     * this model is freed. Sources speak catalogue rows, not model items.
     */
    const earshot_source *(*source)(const earshot_load_context *context, const char *name, earshot_error *error);
    /* A source's best `k` catalogue rows for a listener given in catalogue
     * rows (`exclusion`: bitset over catalogue rows, may be NULL); filters of
     * the request are not applied. Writes up to result->capacity items. */
    earshot_status (*source_recommend)(const earshot_source *source, const earshot_listener *listener,
                                       const uint64_t *exclusion, earshot_result *result);
    /* A source's scores for catalogue rows (NaN for rows it does not know). */
    earshot_status (*source_score)(const earshot_source *source, const earshot_listener *listener,
                                   const int32_t *rows, int32_t count, float *scores, earshot_error *error);
} earshot_host_api;

/* ---- The descriptor -------------------------------------------------------- */

typedef struct earshot_scorer_descriptor {
    uint32_t struct_size;  /* set by the host */
    /* Written by the plugin: the header version it was compiled with. */
    uint32_t abi_major;
    uint32_t abi_minor;
    /* Static strings. `name` is what clients put in "scorer" and the config
     * in [scorer.<name>]: lowercase letters, digits and '-', unique in the daemon. */
    const char *name;
    const char *version;   /* the plugin's own version, shown by `scorers` */
    const char *summary;   /* one line for `scorers` */

    /* Builds a model. Returns EARSHOT_OK with *model and *info filled, or
     * EARSHOT_NOT_READY / EARSHOT_FAILED with error->text. */
    earshot_status (*load)(const earshot_host *host, const earshot_load_context *context, void **model,
                           earshot_model_info *info, earshot_error *error);
    /* Releases a model; see THREADING for when. */
    void (*free_model)(void *model);

    /* Answers `count` recommend requests (a batch of listeners) in one call:
     * results[i] answers requests[i], each with its own status. Returns
     * EARSHOT_OK unless the whole batch failed. */
    earshot_status (*recommend)(const void *model, const earshot_recommend_request *requests,
                                earshot_result *results, int32_t count);
    /* The same for seed items (`similar`). NULL: the scorer has no `similar`. */
    earshot_status (*similar)(const void *model, const earshot_similar_request *requests,
                              earshot_result *results, int32_t count);
    /* Scores `count` items for one listener into `scores` (host-owned, [count]). */
    earshot_status (*score)(const void *model, const earshot_listener *listener, const int32_t *items,
                            int32_t count, float *scores, earshot_error *error);
} earshot_scorer_descriptor;

/* The two exported entry points (see the top of this file). */
typedef uint32_t (*earshot_scorer_abi_fn)(void);
typedef earshot_status (*earshot_scorer_init_fn)(const earshot_host_api *host, earshot_scorer_descriptor *descriptor,
                                                 earshot_error *error);

/* Prototypes, so a C plugin's definitions are checked; a host, or a plugin
 * defining them in another language, defines EARSHOT_NO_ENTRY_PROTOTYPES. */
#ifndef EARSHOT_NO_ENTRY_PROTOTYPES
EARSHOT_EXPORT uint32_t earshot_scorer_abi(void);
EARSHOT_EXPORT earshot_status earshot_scorer_init(const earshot_host_api *host, earshot_scorer_descriptor *descriptor,
                                                  earshot_error *error);
#endif

#ifdef __cplusplus
}
#endif

#endif /* EARSHOT_SCORER_H */
