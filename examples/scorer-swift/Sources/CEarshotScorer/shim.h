// The plugin defines the two entry points in Swift (@_cdecl), so it asks
// the header for no C prototypes of them.
#define EARSHOT_NO_ENTRY_PROTOTYPES 1
#include <earshot/scorer.h>
