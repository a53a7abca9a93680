import Testing

/// The checker must tell good histories from bad ones, or the safety sweep proves nothing.
@Suite struct LinearizabilityCheckerTests {
    func op(_ client: Int, _ from: Int64, _ to: Int64?, _ kind: RegisterOperation.Kind) -> RegisterOperation {
        RegisterOperation(client: client, invokedAt: from, returnedAt: to, kind: kind)
    }

    @Test func sequentialHistories() {
        #expect(LinearizabilityChecker.isLinearizable([op(1, 0, 1, .write("a")), op(1, 2, 3, .read("a"))]))
        #expect(!LinearizabilityChecker.isLinearizable([op(1, 0, 1, .write("a")), op(1, 2, 3, .read("b"))]))
        #expect(!LinearizabilityChecker.isLinearizable([op(1, 0, 1, .write("a")), op(1, 2, 3, .read(nil))]),
                "a read after a completed write must see it")
        #expect(LinearizabilityChecker.isLinearizable([op(1, 0, 1, .read(nil))]))
    }

    @Test func concurrentOperationsMayGoEitherWay() {
        // A read overlapping a write may see the old value or the new one.
        #expect(LinearizabilityChecker.isLinearizable([op(1, 0, 10, .write("a")), op(2, 1, 2, .read(nil))]))
        #expect(LinearizabilityChecker.isLinearizable([op(1, 0, 10, .write("a")), op(2, 1, 2, .read("a"))]))
        // But two reads in sequence cannot see new then old.
        #expect(!LinearizabilityChecker.isLinearizable([
            op(1, 0, 10, .write("a")), op(2, 1, 2, .read("a")), op(3, 3, 4, .read(nil)),
        ]), "once a read saw the write, a later read must see it too")
    }

    @Test func unfinishedWritesMayOrMayNotHaveHappened() {
        #expect(LinearizabilityChecker.isLinearizable([op(1, 0, nil, .write("a")), op(2, 5, 6, .read(nil))]))
        #expect(LinearizabilityChecker.isLinearizable([op(1, 0, nil, .write("a")), op(2, 5, 6, .read("a"))]))
        #expect(!LinearizabilityChecker.isLinearizable([op(1, 3, nil, .write("a")), op(2, 0, 2, .read("a"))]),
                "a read cannot see a write invoked after it returned")
    }

    @Test func staleReadAfterOverwriteIsCaught() {
        let history = [
            op(1, 0, 1, .write("a")), op(1, 2, 3, .write("b")),
            op(2, 4, 5, .read("a")),
        ]
        #expect(!LinearizabilityChecker.isLinearizable(history))
    }
}
