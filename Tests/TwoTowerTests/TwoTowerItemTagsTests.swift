import EarshotTraining
import Foundation
import Testing

@Suite struct TwoTowerItemTagsTests {
    @Test func dropsTagRowsOnExcludedPairs() throws {
        let directory = try TwoTowerFixtures.TemporaryDirectory()
        let tags = directory.path("user_taggedartists.dat")
        try """
            userID\tartistID\ttagID\tday\tmonth\tyear
            2\t52\t13\t1\t4\t2009
            2\t52\t15\t1\t4\t2009
            2\t53\t13\t1\t4\t2009
            3\t52\t13\t1\t4\t2009\r
            4\t60\t7\t1\t4\t2009

            """.write(toFile: tags, atomically: true, encoding: .utf8)
        let test = directory.path("test.tsv")
        try "user\titem\tweight\n2\t52\t10\n4\t60\t1\n9\t9\t1\n".write(toFile: test, atomically: true, encoding: .utf8)
        var excluded = TwoTowerExcludedPairs()
        try excluded.read(tsv: test)
        #expect(excluded.count == 3)
        let read = try TwoTowerItemTags.read(lastFMTags: tags, excluding: excluded)
        #expect(read.excludedCount == 3)
        #expect(
            read.assignments == [
                .init(user: "2", item: "53", tag: "13"),
                .init(user: "3", item: "52", tag: "13"),
            ])
    }

    @Test func keepsEverythingWithoutExcludedPairs() throws {
        let directory = try TwoTowerFixtures.TemporaryDirectory()
        let tags = directory.path("tags.dat")
        try "userID\tartistID\ttagID\tday\tmonth\tyear\n2\t52\t13\t1\t4\t2009\n".write(toFile: tags, atomically: true, encoding: .utf8)
        let read = try TwoTowerItemTags.read(lastFMTags: tags, excluding: TwoTowerExcludedPairs())
        #expect(read.assignments.count == 1 && read.excludedCount == 0)
    }

    @Test func namesTheLineOfAMalformedRow() throws {
        let directory = try TwoTowerFixtures.TemporaryDirectory()
        let tags = directory.path("tags.dat")
        try "userID\tartistID\ttagID\n2\t52\n".write(toFile: tags, atomically: true, encoding: .utf8)
        #expect {
            try TwoTowerItemTags.read(lastFMTags: tags, excluding: TwoTowerExcludedPairs())
        } throws: { error in
            (error as? TrainingError).map { "\($0)".contains("tags.dat:2") } ?? false
        }
    }
}
