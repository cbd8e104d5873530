/*
 * affinity — an Earshot scorer plugin in C that needs only the catalogue.
 *
 * A track scores by how much of the listener's weighted history shares its
 * primary artist and its genres:
 *
 *   score(t) = artist_weight * A[artist(t)] / H
 *            + genre_weight  * mean over genres g of t of G[g] / H
 *            + 0.001 * popularity(t) / 100          (breaks ties)
 *
 * where A and G sum the history weights per primary artist and per genre
 * and H is the total weight. `similar` uses the seeds as the history
 * (weights 1, or 1..n for "weighted"; "max" is treated as "average").
 *
 * Settings ([scorer.affinity]): artist_weight (default 1), genre_weight (default 1).
 * Build: make (see the Makefile). Docs: docs/PLUGINS.md of the Earshot sources.
 */
#include <earshot/scorer.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AFFINITY_VERSION
#define AFFINITY_VERSION "1.0.0"
#endif

EARSHOT_SCORER_ABI_DEFINE()

static const earshot_host_api *host_api;

typedef struct model {
    const earshot_catalogue *catalogue; /* the host's; valid until free_model */
    float artist_weight;
    float genre_weight;
} model;

static int read_weight(const earshot_load_context *context, const char *key, float *out, earshot_error *error) {
    const char *text = host_api->setting(context, key);
    if (text == NULL) return 1;
    char *end = NULL;
    double value = strtod(text, &end);
    if (end == text || *end != '\0' || !(value >= 0) || !isfinite(value)) {
        snprintf(error->text, sizeof error->text, "scorer.affinity.%s must be a number >= 0, found %s", key, text);
        return 0;
    }
    *out = (float)value;
    return 1;
}

static earshot_status load(const earshot_host *host, const earshot_load_context *context, void **out,
                           earshot_model_info *info, earshot_error *error) {
    const earshot_catalogue *catalogue = host_api->catalogue(context);
    if (catalogue == NULL || catalogue->track_count == 0) {
        snprintf(error->text, sizeof error->text, "the catalogue is empty (import a catalogue first)");
        return EARSHOT_NOT_READY;
    }
    model *m = calloc(1, sizeof *m);
    if (m == NULL) {
        snprintf(error->text, sizeof error->text, "out of memory");
        return EARSHOT_FAILED;
    }
    m->catalogue = catalogue;
    m->artist_weight = 1;
    m->genre_weight = 1;
    if (!read_weight(context, "artist_weight", &m->artist_weight, error) ||
        !read_weight(context, "genre_weight", &m->genre_weight, error)) {
        free(m);
        return EARSHOT_NOT_READY;
    }
    info->item_count = catalogue->track_count; /* items are the catalogue's rows */
    info->item_ids = NULL;
    info->fact_count = 2;
    info->fact_names[0] = "artists";
    info->fact_values[0] = catalogue->artist_count;
    info->fact_names[1] = "genres";
    info->fact_values[1] = catalogue->genre_count;
    char line[128];
    snprintf(line, sizeof line, "affinity %s loaded over %d tracks", AFFINITY_VERSION, (int)catalogue->track_count);
    host_api->log(host, EARSHOT_LOG_INFO, line);
    *out = m;
    return EARSHOT_OK;
}

static void free_model(void *m) { free(m); }

/* Per-request affinity tables, over the catalogue's artists and genres. */
typedef struct profile {
    float *artists;
    float *genres;
    float total;
} profile;

static int profile_build(const model *m, const int32_t *rows, const float *weights, int32_t count,
                         int weighted_by_position, profile *p) {
    const earshot_catalogue *c = m->catalogue;
    p->artists = calloc((size_t)c->artist_count + 1, sizeof(float));
    p->genres = calloc((size_t)c->genre_count + 1, sizeof(float));
    p->total = 0;
    if (p->artists == NULL || p->genres == NULL) return 0;
    for (int32_t i = 0; i < count; i++) {
        int32_t row = rows[i];
        if (row < 0 || row >= c->track_count) continue;
        float w = weighted_by_position ? (float)(i + 1) : (weights ? weights[i] : 1.0f);
        if (!(w > 0)) continue;
        p->total += w;
        if (c->artist_offsets[row] < c->artist_offsets[row + 1]) p->artists[c->track_artists[c->artist_offsets[row]]] += w;
        for (int32_t g = c->genre_offsets[row]; g < c->genre_offsets[row + 1]; g++) p->genres[c->track_genres[g]] += w;
    }
    return 1;
}

static void profile_free(profile *p) {
    free(p->artists);
    free(p->genres);
}

static inline float score_row(const model *m, const profile *p, int32_t row) {
    const earshot_catalogue *c = m->catalogue;
    float artist = 0, genre = 0;
    int32_t first = c->artist_offsets[row];
    if (first < c->artist_offsets[row + 1]) artist = p->artists[c->track_artists[first]];
    int32_t g0 = c->genre_offsets[row], g1 = c->genre_offsets[row + 1];
    for (int32_t g = g0; g < g1; g++) genre += p->genres[c->track_genres[g]];
    if (g1 > g0) genre /= (float)(g1 - g0);
    return (m->artist_weight * artist + m->genre_weight * genre) / p->total + 0.00001f * (float)c->popularity[row];
}

/* One pass over the catalogue; the host's collector keeps the best k that
 * respect the request's song and artist limits. */
static void scan(const model *m, const profile *p, const earshot_constraints *constraints) {
    const uint64_t *excluded = constraints->exclusion;
    float threshold = -INFINITY;
    int32_t n = m->catalogue->track_count;
    for (int32_t row = 0; row < n; row++) {
        if (excluded && (excluded[row >> 6] >> (row & 63)) & 1) continue;
        float s = score_row(m, p, row);
        if (s > threshold) threshold = host_api->collector_offer(constraints->collector, row, s);
    }
    host_api->collector_finish(constraints->collector);
}

static earshot_status recommend(const void *opaque, const earshot_recommend_request *requests, earshot_result *results,
                                int32_t count) {
    const model *m = opaque;
    for (int32_t i = 0; i < count; i++) {
        const earshot_recommend_request *r = &requests[i];
        earshot_result *out = &results[i];
        out->count = 0;
        if (r->listener.history_count == 0) {
            out->status = EARSHOT_UNKNOWN_USER;
            snprintf(out->error.text, sizeof out->error.text, "affinity needs a history");
            continue;
        }
        profile p;
        if (!profile_build(m, r->listener.history_items, r->listener.history_weights, r->listener.history_count, 0, &p)) {
            profile_free(&p);
            out->status = EARSHOT_FAILED;
            snprintf(out->error.text, sizeof out->error.text, "out of memory");
            continue;
        }
        if (p.total > 0) scan(m, &p, &r->constraints);
        out->status = p.total > 0 ? EARSHOT_OK : EARSHOT_NO_KNOWN_ITEMS;
        profile_free(&p);
    }
    return EARSHOT_OK;
}

static earshot_status similar(const void *opaque, const earshot_similar_request *requests, earshot_result *results,
                              int32_t count) {
    const model *m = opaque;
    for (int32_t i = 0; i < count; i++) {
        const earshot_similar_request *r = &requests[i];
        earshot_result *out = &results[i];
        out->count = 0;
        profile p;
        int weighted = r->strategy == EARSHOT_SEEDS_WEIGHTED;
        if (!profile_build(m, r->seeds, NULL, r->seed_count, weighted, &p) || p.total == 0) {
            profile_free(&p);
            out->status = EARSHOT_NO_KNOWN_ITEMS;
            snprintf(out->error.text, sizeof out->error.text, "no seed is in the catalogue");
            continue;
        }
        scan(m, &p, &r->constraints);
        out->status = EARSHOT_OK;
        profile_free(&p);
    }
    return EARSHOT_OK;
}

static earshot_status score(const void *opaque, const earshot_listener *listener, const int32_t *items, int32_t count,
                            float *scores, earshot_error *error) {
    const model *m = opaque;
    if (listener->history_count == 0) {
        snprintf(error->text, sizeof error->text, "affinity needs a history");
        return EARSHOT_UNKNOWN_USER;
    }
    profile p;
    if (!profile_build(m, listener->history_items, listener->history_weights, listener->history_count, 0, &p) ||
        p.total == 0) {
        profile_free(&p);
        snprintf(error->text, sizeof error->text, "no history item is in the catalogue");
        return EARSHOT_NO_KNOWN_ITEMS;
    }
    for (int32_t i = 0; i < count; i++) scores[i] = score_row(m, &p, items[i]);
    profile_free(&p);
    return EARSHOT_OK;
}

EARSHOT_EXPORT earshot_status earshot_scorer_init(const earshot_host_api *host, earshot_scorer_descriptor *descriptor,
                                                  earshot_error *error) {
    if (host->abi_major != EARSHOT_ABI_MAJOR) {
        snprintf(error->text, sizeof error->text, "built for scorer ABI %d, the host has %u", EARSHOT_ABI_MAJOR,
                 (unsigned)host->abi_major);
        return EARSHOT_FAILED;
    }
    host_api = host;
    descriptor->abi_major = EARSHOT_ABI_MAJOR;
    descriptor->abi_minor = EARSHOT_ABI_MINOR;
    descriptor->name = "affinity";
    descriptor->version = AFFINITY_VERSION;
    descriptor->summary = "Artist and genre affinity over the listener's weighted history (C plugin example)";
    descriptor->load = load;
    descriptor->free_model = free_model;
    descriptor->recommend = recommend;
    descriptor->similar = similar;
    descriptor->score = score;
    return EARSHOT_OK;
}
