from bench.metrics import score_document, shingles, summarize, tokenize


def test_tokenize_keeps_case_and_splits_on_non_word():
    assert tokenize("Kosovo’s U.N. envoy") == ["Kosovo", "s", "U", "N", "envoy"]


def test_shingles_of_short_text_is_the_whole_token_list():
    assert shingles("a b c") == {("a", "b", "c"): 1}
    assert shingles("") == {}


def test_perfect_prediction():
    score = score_document("one two three four five", "one two three four five")
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)


def test_scores_scaled_to_sum_one():
    truth = "a b c d e f g h"  # 5 shingles
    pred = "a b c d e x y z"  # shares 2 shingles, 3 extra
    score = score_document(truth, pred)
    assert abs(score.tp + score.fp + score.fn - 1) < 1e-9
    assert abs(score.precision - 2 / 5) < 1e-9
    assert abs(score.recall - 2 / 5) < 1e-9


def test_multiset_counts_repeated_shingles():
    score = score_document("a b c d", "a b c d a b c d")
    assert score.precision < 1 and score.recall == 1


def test_empty_prediction_counts_for_recall_only():
    docs = [score_document("a b c d e", ""), score_document("a b c d e", "a b c d e")]
    summary = summarize(docs)
    assert summary.precision == 1.0  # only the non-empty prediction counts
    assert summary.recall == 0.5
    assert abs(summary.f1 - 2 * 1.0 * 0.5 / 1.5) < 1e-9
    assert summary.share_f1_090 == 0.5


def test_both_empty_is_perfect_but_not_averaged():
    score = score_document("", "")
    assert score.f1 == 1.0 and not score.has_prediction and not score.has_truth
