import pickle

import pytest

import headwater as dg


def test_string_and_list_forms_are_equal():
    assert dg.AssetKey("a") == dg.AssetKey(["a"])
    assert hash(dg.AssetKey("a")) == hash(dg.AssetKey(("a",)))


def test_plain_string_is_never_split():
    assert dg.AssetKey("a/b").path == ["a/b"]
    assert dg.AssetKey.from_coercible("a/b").path == ["a/b"]
    assert dg.AssetKey.from_user_string("a/b").path == ["a", "b"]


def test_keys_are_ordered_and_hashable():
    keys = [dg.AssetKey(["b"]), dg.AssetKey(["a", "z"]), dg.AssetKey(["a"])]
    assert sorted(keys) == [dg.AssetKey(["a"]), dg.AssetKey(["a", "z"]), dg.AssetKey(["b"])]
    assert len({*keys, dg.AssetKey("b")}) == 3


def test_string_forms():
    key = dg.AssetKey(["a", "b"])
    assert key.to_string() == '["a", "b"]'
    assert dg.AssetKey.from_db_string(key.to_string()) == key
    assert key.to_user_string() == "a/b"
    assert repr(key) == "AssetKey(['a', 'b'])"


def test_escaped_user_string_round_trips_slashes():
    key = dg.AssetKey(["x/y", "z"])
    assert key.to_escaped_user_string() == "x\\/y/z"
    assert dg.AssetKey.from_escaped_user_string("x\\/y/z") == key


def test_prefixes_and_identifier():
    key = dg.AssetKey("b").with_prefix(["p1", "p2"])
    assert key == dg.AssetKey(["p1", "p2", "b"])
    assert key.has_prefix(["p1"])
    assert not key.has_prefix(["p2"])
    assert key.to_python_identifier() == "p1__p2__b"
    assert dg.AssetKey(["q-r", "s.t"]).to_python_identifier() == "q_r__s_t"
    assert key.parent == dg.AssetKey(["p1", "p2"])


def test_keys_pickle_and_are_immutable():
    key = dg.AssetKey(["a", "b"])
    assert pickle.loads(pickle.dumps(key)) == key
    with pytest.raises(AttributeError):
        key.parts = ("c",)


def test_bad_components_are_refused_with_a_clear_message():
    with pytest.raises(TypeError, match="components must be strings"):
        dg.AssetKey(["a", 1])
    with pytest.raises(TypeError, match="string or a sequence of strings"):
        dg.AssetKey(3)
