// The plugin API is written in terms of the kernels' results (`ScoredItem`,
// `ItemExclusion`) and the catalogue's types (`TrackCatalogue`), so a scorer
// needs all three: re-exporting them keeps `import EarshotScoring` the one
// import a scorer (and every caller written before the split) needs.
@_exported import EarshotCatalogueTypes
@_exported import EarshotKernels
