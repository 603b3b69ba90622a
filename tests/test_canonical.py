from dedupe.canonical import DocKey, canonical_order, decided_by


def test_most_complete_copy_wins_then_date_then_url_then_id():
    keys = [
        DocKey("b", 100, "2020-01-02", "https://x.example/a/long/path"),
        DocKey("a", 100, "2020-01-02", "https://x.example/a/long/path"),
        DocKey("c", 100, "2020-01-01", "https://x.example/a/very/long/path"),
        DocKey("d", 120, None, None),
        DocKey("e", 100, "2020-01-02", "https://x.example/s"),
    ]
    order = [keys[i].id for i in canonical_order(keys)]
    assert order == ["d", "c", "e", "a", "b"]


def test_the_rule_that_decided_is_named():
    assert decided_by(DocKey("a", 200), DocKey("b", 100)) == "longest"
    assert decided_by(DocKey("a", 100, "2019-05-01"), DocKey("b", 100, "2019-06-01")) == "earliest"
    assert decided_by(DocKey("a", 100, None, "https://s.example/1"), DocKey("b", 100, None, "https://s.example/123")) == "shortest_url"
    assert decided_by(DocKey("a", 100), DocKey("b", 100)) == "smallest_id"
