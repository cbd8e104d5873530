import Artists
import Blend
import ContentSimilarity
import EarshotScoring
import MatrixFactorization
import Popular
import TwoTower

/// The scorers compiled into Earshot: the one list the daemon, `earshot
/// eval` and the demo start from (plugin files are added to it at load).
public enum BuiltInScorers {
    public static let registry = ScorerRegistry([
        ContentSimilarityPlugin.self, MatrixFactorizationPlugin.self, TwoTowerPlugin.self, PopularPlugin.self,
        ArtistsPlugin.self,
        // Last: a blend reaches the scorers loaded before it.
        BlendPlugin.self,
    ])
}
