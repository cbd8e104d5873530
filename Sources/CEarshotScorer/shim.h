// The scorer plugin ABI (include/earshot/scorer.h) as the host sees it: the
// host calls the entry points through dlsym, so it needs no prototypes.
#define EARSHOT_NO_ENTRY_PROTOTYPES 1
#include "../../include/earshot/scorer.h"
