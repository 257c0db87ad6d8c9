"""Hostile and broken inputs (issue 16, input side): nothing lost, nothing let in.

Every fixture is generated here from sentences written for these tests; bombs are small and
bounded in time. For each input: the expected reject reason, and ``loaded + rejected == inputs``.
"""
from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import tarfile
import warnings
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

import newskit
from newskit import corpus as corpus_mod
from newskit.cli import main as cli
from newskit.corpus import CorpusWarning, rejects

SECRET = "TOPSECRET-7731 operator:x:0:0:hidden line"


def article(title="Harbour reopens after storm", date="20230314", url="https://news.example.org/harbour",
            body=("Fishing boats returned to the harbour on Tuesday.", "The mayor thanked volunteers.")) -> str:
    return "\n".join([title, date, url, *body]) + "\n"


def numbered(n: int, **kwargs) -> str:
    """A valid native article, distinct in URL and body for each ``n``."""
    return article(title=f"Council meeting {n}", url=f"https://news.example.org/council/{n}",
                   body=(f"The council met for the {n}th time this year.", "Budgets were discussed."),
                   **kwargs)


def load(source, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        return newskit.load_corpus(source, **kwargs)


def reasons(df: pd.DataFrame) -> dict[str, tuple[int | None, str]]:
    """Reject by file name (or ``archive!member``): (line, reason)."""
    rej = rejects(df)
    out = {}
    for path, line, reason in zip(rej.path, rej.line, rej.reason):
        key = path.split("!", 1)[1] if "!" in path else Path(path).name
        out[key] = (None if pd.isna(line) else int(line), reason)
    return out


def assert_accounted(df: pd.DataFrame, expected_inputs: int) -> None:
    assert df.attrs["n_inputs"] == expected_inputs, rejects(df).to_string()
    assert len(df) + len(rejects(df)) == expected_inputs


def assert_no_content_in_details(df: pd.DataFrame, *fragments: str) -> None:
    for detail in rejects(df).detail:
        for fragment in fragments:
            assert fragment not in detail, detail


# --------------------------------------------------------------------------------- zip surgery


def _zip_bytes(members: dict[str, bytes], *, method=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _patch_zip_header(data: bytes, member_index: int, *, flags: int | None = None,
                      method: int | None = None) -> bytes:
    """Set the flag bits and/or compression method of one member in both its local and central headers."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.infolist()[member_index]
        local = info.header_offset
    central = [i for i in range(len(out) - 3) if out[i:i + 4] == b"PK\x01\x02"][member_index]
    for offset, base in ((local + 6, "local"), (central + 8, "central")):
        if flags is not None:
            struct.pack_into("<H", out, offset, flags)
        if method is not None:
            struct.pack_into("<H", out, offset + 2, method)
        assert base
    return bytes(out)


# ----------------------------------------------------------------------------------- item 2


def test_symlink_leaving_the_folder_is_rejected_and_followed_only_on_request(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text(f"{SECRET}\nnot-a-date {SECRET}\n{SECRET}\nbody\n")
    (outside / "other.txt").write_text(numbered(9))
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "good.txt").write_text(numbered(1))
    (root / "inside.txt").symlink_to(root / "sub" / "target.txt")
    (root / "sub" / "target.txt").write_text(numbered(2))
    (root / "leak.txt").symlink_to(outside / "passwd")
    (root / "away.txt").symlink_to(outside / "other.txt")
    (root / "awaydir").symlink_to(outside, target_is_directory=True)

    df = load(root)
    got = reasons(df)
    for name in ("leak.txt", "away.txt", "awaydir"):
        assert got[name] == (None, "symlink leaves the corpus folder"), got
    assert set(df.title) == {"Council meeting 1", "Council meeting 2"}   # links inside the folder are read
    assert_accounted(df, 6)  # good, inside, sub/target (duplicate of inside), 3 links leaving
    assert_no_content_in_details(df, "TOPSECRET", "operator", "not-a-date")
    assert "follow_symlinks=True" in rejects(df).detail[rejects(df).reason.str.startswith("symlink")].iloc[0]

    followed = load(root, follow_symlinks=True)
    assert "Council meeting 9" in set(followed.title)
    got = reasons(followed)
    assert got["leak.txt"] == (2, "invalid date")        # read, but its content is not quoted
    assert_no_content_in_details(followed, "TOPSECRET", "operator", "not-a-date")


def test_reject_details_quote_no_content(tmp_path):
    marker = "ZQXMARKER"
    (tmp_path / "date.txt").write_text(article(date=f"{marker}1", url="https://news.example.org/d"))
    (tmp_path / "url.txt").write_text(article(url=f"ftp://{marker}.example/x"))
    (tmp_path / "url2.txt").write_text(article(url=f"https://{marker} .example/x", body=("Other.",)))
    (tmp_path / "bytes.txt").write_bytes(f"{marker}\n20230101\nhttps://a.example/1\n".encode()
                                         + b"\xff\xfe" + marker.encode() + b"\n")
    (tmp_path / "t.csv").write_text(f"title,date,url,text\nA,{marker},https://a.example/2,Body a.\n"
                                    f"B,20230101,https://{marker}[/,Body b.\n")
    df = load(tmp_path)
    assert df.empty and len(rejects(df)) == 6
    assert_no_content_in_details(df, marker)


# ----------------------------------------------------------------------------------- item 5


def test_zip_bomb_member_is_a_reject_and_the_rest_loads(tmp_path):
    bomb = (article(url="https://news.example.org/bomb").encode() + b"a" * (24 * 2**20))
    data = _zip_bytes({"a.txt": numbered(1).encode(), "bomb.txt": bomb, "c.txt": numbered(3).encode()},
                      method=zipfile.ZIP_DEFLATED)
    assert len(data) < 200_000                        # a small file ...
    (tmp_path / "bomb.zip").write_bytes(data)
    (tmp_path / "plain.txt").write_text(numbered(4))
    df = load(tmp_path)
    assert reasons(df)["bomb.txt"] == (None, "compression ratio too high")
    assert sorted(df.title) == ["Council meeting 1", "Council meeting 3", "Council meeting 4"]
    assert_accounted(df, 4)


def test_archive_members_over_the_size_limit_are_rejected_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_mod, "MAX_FILE_BYTES", 2000)
    big = article(body=("Long paragraph. " * 300,)).encode()
    (tmp_path / "a.zip").write_bytes(_zip_bytes({"big.txt": big, "ok.txt": numbered(1).encode()}))
    with tarfile.open(tmp_path / "b.tar.gz", "w:gz") as tf:
        for name, payload in (("big2.txt", big), ("ok2.txt", numbered(2).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tf.addfile(info, io.BytesIO(payload))
    (tmp_path / "big3.txt").write_bytes(big)
    df = load(tmp_path)
    got = reasons(df)
    assert got["big.txt"] == got["big2.txt"] == got["big3.txt"] == (None, "file too large")
    assert sorted(df.title) == ["Council meeting 1", "Council meeting 2"]
    assert_accounted(df, 5)


# ----------------------------------------------------------------------------------- item 6


def test_info_shows_control_characters_escaped(tmp_path, capsys):
    (tmp_path / "host.txt").write_text(article(url="https://evil\x1b[31m.example/a"))
    (tmp_path / "bidi.txt").write_text(article(url="https://news.example\u202eorg/b", body=("B.",)))
    (tmp_path / "name\x1b[2J\x07.txt").write_text(article(date="2023", body=("C.",)))
    (tmp_path / "ok.txt").write_text(numbered(1))
    assert cli(["info", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in out
    assert "name\\x1b[2J\\x07.txt" in out
    assert reasons(load(tmp_path))["host.txt"] == (3, "invalid URL")
    assert cli(["info", str(tmp_path), "--json"]) == 0
    text = capsys.readouterr().out
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    facts = json.loads(text)
    assert any("\x1b[2J" in r["path"] for r in facts["rejected"])   # the JSON value is still exact


# ----------------------------------------------------------------------------------- item 8


def _unreadable(monkeypatch, folder: Path) -> None:
    """Make ``folder`` unreadable: chmod when not root; as root (who reads anything) fail its scandir."""
    if os.geteuid() != 0:
        folder.chmod(0)
        return
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path) == os.fspath(folder):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def _tar_with_links(path: Path) -> None:
    with tarfile.open(path, "w") as tf:
        payload = numbered(5).encode()
        info = tarfile.TarInfo("ok.txt")
        info.size = len(payload)
        tf.addfile(info, io.BytesIO(payload))
        for name, kind, target in (("sym.txt", tarfile.SYMTYPE, "/etc/passwd"),
                                   ("hard.txt", tarfile.LNKTYPE, "ok.txt"),
                                   ("dev.txt", tarfile.CHRTYPE, ""),
                                   ("fifo.txt", tarfile.FIFOTYPE, "")):
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            tf.addfile(info)


def test_every_input_is_counted(tmp_path, monkeypatch):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "ok.txt").write_text(numbered(1))
    (root / "folder.txt").mkdir()
    (root / "folder.txt" / "inner.txt").write_text(numbered(2))
    os.mkfifo(root / "pipe.txt")
    (root / "broken.txt").symlink_to(root / "missing.txt")
    (root / "loop.txt").symlink_to(root / "loop.txt")
    (root / "a_loop").symlink_to(root / "b_loop")
    (root / "b_loop").symlink_to(root / "a_loop")
    (root / "up").symlink_to(root, target_is_directory=True)      # a folder loop
    (root / "locked").mkdir()
    (root / "locked" / "x.txt").write_text(numbered(3))
    _unreadable(monkeypatch, root / "locked")
    _tar_with_links(root / "links.tar")
    (root / "zz_again").symlink_to(root / "folder.txt", target_is_directory=True)  # read once, not twice
    (root / ".hidden.txt").write_text(numbered(4))                                 # hidden: skipped
    df = load(root)
    got = reasons(df)
    assert got["zz_again"] == (None, "folder already read")
    assert df.attrs["skipped"] == {"count": 1, "kinds": {"hidden": 1}, "examples": [str(root / ".hidden.txt")]}
    assert got["folder.txt"] == (None, "not a regular file")
    assert got["pipe.txt"] == (None, "not a regular file")
    assert got["broken.txt"] == (None, "broken symlink")
    assert got["loop.txt"] == got["a_loop"] == got["b_loop"] == got["up"] == (None, "symlink loop")
    assert got["locked"] == (None, "unreadable folder")
    assert got["sym.txt"] == got["hard.txt"] == (None, "link member")
    assert got["dev.txt"] == got["fifo.txt"] == (None, "not a regular file")
    assert sorted(df.title) == ["Council meeting 1", "Council meeting 2", "Council meeting 5"]
    # ok, folder.txt (+ inner), pipe, broken, loop, a_loop, b_loop, up, locked, 5 tar members, zz_again
    assert_accounted(df, 16)


def test_folder_of_extensionless_files_says_what_was_found(tmp_path, capsys):
    for n in range(3):
        (tmp_path / f"article{n}").write_text(numbered(n))
    (tmp_path / "notes.md").write_text("Notes.\n")
    with pytest.warns(CorpusWarning, match="4 files skipped by name"):
        df = newskit.load_corpus(tmp_path)
    assert df.empty and df.attrs["skipped"]["kinds"] == {"no extension": 3, ".md": 1}
    assert cli(["info", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "skipped     4 by name (3 no extension, 1 .md)" in captured.out
    assert "no article could be loaded: 0 inputs rejected; 4 files skipped by name" in captured.err
    assert ".txt" in captured.err and "article0" in captured.err


# ----------------------------------------------------------------------------------- item 9


def test_one_bad_csv_row_is_one_reject(tmp_path, monkeypatch):
    long_text = "Word " * 30_000                                   # 150,000 characters: a real article
    rows = ("title,date,url,text\n"
            "One,2023-01-01,https://a.example/1,First body.\n"
            f"Long,2023-01-02,https://a.example/2,\"{long_text}\"\n").encode()
    rows += b"Bad,2023-01-03,https://a.example/3,Caf\xe9 body.\n"
    rows += b"Four,2023-01-04,https://a.example/4,\"Fourth\nbody.\"\nFive,2023-01-05,https://a.example/5,x\n"
    rows += b"Six,2023-01-06,https://a.example/6,a,extra field\n"
    (tmp_path / "t.csv").write_bytes(rows)
    df = load(tmp_path / "t.csv")
    assert df.title.tolist() == ["One", "Long", "Four", "Five"]
    assert len(df.text.iloc[1]) == len(long_text.strip())
    rej = rejects(df)
    assert list(zip(rej.line, rej.reason)) == [(4, "undecodable bytes"), (8, "wrong number of fields")]
    assert_accounted(df, 6)

    monkeypatch.setattr(corpus_mod, "MAX_FIELD_CHARS", 1000)
    df = load(tmp_path / "t.csv")
    assert df.title.tolist() == ["One", "Four", "Five"]
    assert (3, "field too large") in set(zip(rejects(df).line, rejects(df).reason))


def test_one_bad_jsonl_line_is_one_reject(tmp_path):
    good = json.dumps({"title": "A", "date": "2023-01-01", "url": "https://a.example/1", "text": "Body."})
    other = json.dumps({"title": "C", "date": "2023-01-01", "url": "https://a.example/3", "text": "C."})
    (tmp_path / "t.jsonl").write_bytes(good.encode() + b"\n" + b'{"title": "B\xff", "text": "x"}\n'
                                       + other.encode() + b"\n")
    df = load(tmp_path / "t.jsonl")
    assert df.title.tolist() == ["A", "C"]
    assert list(zip(rejects(df).line, rejects(df).reason)) == [(2, "undecodable bytes")]


def test_one_bad_crc_member_is_one_reject(tmp_path):
    data = bytearray(_zip_bytes({"a.txt": numbered(1).encode(), "b.txt": numbered(2).encode(),
                                 "c.txt": numbered(3).encode()}))
    at = data.find(b"the 2th time")
    data[at] = ord("T")                                                  # stored member, CRC now wrong
    (tmp_path / "crc.zip").write_bytes(bytes(data))
    df = load(tmp_path / "crc.zip")
    assert reasons(df)["b.txt"] == (None, "corrupt archive member")
    assert "CRC" in rejects(df).detail.iloc[0]
    assert sorted(df.title) == ["Council meeting 1", "Council meeting 3"]
    assert_accounted(df, 3)


# ---------------------------------------------------------------------------------- item 11


def test_relative_dates_wrong_types_and_dataframe_urls_are_rejected(tmp_path):
    (tmp_path / "t.csv").write_text(
        "title,date,url,text\nA,now,https://a.example/1,A.\nB,today,https://a.example/2,B.\n"
        "C,yesterday,https://a.example/3,C.\nD,2023-05-06,https://a.example/4,D.\n")
    df = load(tmp_path / "t.csv")
    assert df.title.tolist() == ["D"]
    assert list(zip(rejects(df).line, rejects(df).reason)) == [(2, "invalid date"), (3, "invalid date"),
                                                                (4, "invalid date")]
    lines = [{"title": ["a", "list"], "text": "Body one."},
             {"title": "Object body", "text": {"nested": "object"}},
             {"title": "Number url", "text": "Body three.", "url": 5},
             {"title": "Fine", "text": "Body four.", "date": 20230102}]
    (tmp_path / "t.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    df = load(tmp_path / "t.jsonl")
    assert df.title.tolist() == ["Fine"] and df.date.iloc[0] == pd.Timestamp("2023-01-02")
    assert list(zip(rejects(df).line, rejects(df).reason)) == [(1, "invalid title"), (2, "invalid text"),
                                                                (3, "invalid URL")]
    frame = pd.DataFrame({"title": ["JS", "Brackets", "Ok", "Ctrl"],
                          "url": ["javascript:alert(1)", "https://[object Object]", "https://ok.example/1",
                                  "https://a\x1b.example/"],
                          "text": ["One.", "Two.", "Three.", "Four."],
                          "date": ["2023-01-01", "2023-01-01", "now", "2023-01-01"]})
    df = load(frame)
    assert df.empty
    assert rejects(df).reason.tolist() == ["invalid URL", "invalid URL", "invalid date", "invalid URL"]


def test_nul_bytes_are_rejected_the_same_in_every_format(tmp_path):
    (tmp_path / "n.txt").write_bytes(article().replace("Tuesday", "Tues\x00day").encode())
    (tmp_path / "n.csv").write_bytes(b"title,date,url,text\nA,2023-01-01,https://a.example/1,Nul\x00here.\n")
    (tmp_path / "n.jsonl").write_text(json.dumps({"title": "J", "url": "https://a.example/2",
                                                  "text": "Nul\u0000here too."}) + "\n")
    pd.DataFrame({"title": ["P"], "url": ["https://a.example/3"], "text": ["Nul\x00in parquet."]}
                 ).to_parquet(tmp_path / "n.parquet")
    df = load(tmp_path)
    assert df.empty
    got = rejects(df)
    assert got.reason.tolist() == ["NUL byte"] * 4
    assert got.line.tolist() == [2, 1, 1, 4]      # csv row line, jsonl line, parquet row, native line
    frame = load(pd.DataFrame({"title": ["F"], "text": ["Nul\x00in a frame."]}))
    assert rejects(frame).reason.tolist() == ["NUL byte"]


# ---------------------------------------------------------------------------------- item 14


def test_out_of_bounds_dates_are_rejects_not_crashes(tmp_path):
    (tmp_path / "future.txt").write_text(article(date="29991231", url="https://a.example/f"))
    (tmp_path / "past.txt").write_text(article(date="16770101", url="https://a.example/p", body=("P.",)))
    (tmp_path / "ok.txt").write_text(numbered(1))
    (tmp_path / "t.csv").write_text("title,date,url,text\nA,3000-01-01,https://a.example/c,Body c.\n"
                                    "B,2023-01-01T10:00:00+02:00,https://a.example/d,Body d.\n")
    (tmp_path / "t.jsonl").write_text(json.dumps({"title": "J", "date": "1500-06-01", "text": "J."}) + "\n")
    df = load(tmp_path)
    got = reasons(df)
    assert got["future.txt"] == got["past.txt"] == (2, "date out of range")
    assert got["t.csv"] == (2, "date out of range") and got["t.jsonl"] == (1, "date out of range")
    assert sorted(df.title) == ["B", "Council meeting 1"]
    assert df.set_index("title").date["B"] == pd.Timestamp("2023-01-01 08:00")
    frame = load(pd.DataFrame({"title": ["X"], "text": ["x."], "date": [datetime(2999, 1, 1)]}))
    assert rejects(frame).reason.tolist() == ["date out of range"]


# ---------------------------------------------------------------------------------- item 15


def test_urls_urlparse_refuses_are_rejects(tmp_path):
    (tmp_path / "obj.txt").write_text(article(url="https://[object Object]"))
    (tmp_path / "port.txt").write_text(article(url="https://a.example:99999/x", body=("Port.",)))
    (tmp_path / "ok.txt").write_text(numbered(1))
    (tmp_path / "t.csv").write_text("title,url,text\nA,https://[object Object],Body.\n")
    df = load(tmp_path)
    got = reasons(df)
    assert got["obj.txt"] == got["port.txt"] == (3, "invalid URL")
    assert got["t.csv"] == (2, "invalid URL")
    assert df.title.tolist() == ["Council meeting 1"]


# ---------------------------------------------------------------------------------- item 17


def test_encrypted_and_unsupported_compression_members_are_rejects(tmp_path):
    members = {"a.txt": numbered(1).encode(), "b.txt": numbered(2).encode(), "c.txt": numbered(3).encode()}
    data = _patch_zip_header(_zip_bytes(members), 0, flags=0x1)                   # a.txt "encrypted"
    data = _patch_zip_header(data, 2, method=9)                                    # c.txt deflate64
    (tmp_path / "z.zip").write_bytes(data)
    df = load(tmp_path / "z.zip")
    got = reasons(df)
    assert got["a.txt"] == (None, "encrypted archive member")
    assert got["c.txt"] == (None, "unsupported compression")
    assert df.title.tolist() == ["Council meeting 2"]
    assert all("z.zip!" in p for p in rejects(df).path)


# ---------------------------------------------------------------------------------- item 18


def test_fifo_given_directly_never_blocks(tmp_path):
    fifo = tmp_path / "f.txt"
    os.mkfifo(fifo)
    run = subprocess.run([sys.executable, "-m", "newskit.cli", "info", str(fifo), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    facts = json.loads(run.stdout)
    assert [(r["reason"], r["line"]) for r in facts["rejected"]] == [("not a regular file", None)]
    assert "FIFO" in facts["rejected"][0]["detail"]


# ---------------------------------------------------------------------------------- item 21


def test_utf16_with_bom_is_decoded_and_without_bom_explained(tmp_path):
    (tmp_path / "bom16.txt").write_bytes(numbered(1).encode("utf-16"))
    (tmp_path / "bom16be.txt").write_bytes(b"\xfe\xff" + numbered(2).encode("utf-16-be"))
    (tmp_path / "bom32.txt").write_bytes(numbered(3).encode("utf-32"))
    (tmp_path / "nobom.txt").write_bytes(numbered(4).encode("utf-16-le"))
    (tmp_path / "t.csv").write_bytes("title,text\nCsv sixteen,Body in UTF-16.\n".encode("utf-16"))
    df = load(tmp_path)
    assert sorted(df.title) == ["Council meeting 1", "Council meeting 2", "Council meeting 3", "Csv sixteen"]
    assert df.set_index("title").text["Council meeting 1"] == \
        "The council met for the 1th time this year.\nBudgets were discussed."
    got = reasons(df)
    assert got["nobom.txt"] == (None, "undecodable bytes")
    assert "UTF-16" in rejects(df).detail.iloc[0] and "save the file as UTF-8" in rejects(df).detail.iloc[0]


# ---------------------------------------------------------------------------------- item 22


def test_cli_accepts_the_globs_the_loader_accepts(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(numbered(1))
    (tmp_path / "b.txt").write_text(numbered(2))
    (tmp_path / "c.csv").write_text("title,text\nT,Body.\n")
    assert cli(["info", str(tmp_path / "*.txt"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 2
    assert cli(["convert", str(tmp_path / "*.txt"), str(tmp_path / "out.parquet")]) == 0
    assert len(load(tmp_path / "out.parquet")) == 2
    assert cli(["info", str(tmp_path / "*.nothing")]) == 2
    assert "no such file, folder or glob match" in capsys.readouterr().err


def test_glob_match_symlink_leaving_the_glob_folder_is_rejected(tmp_path):
    (tmp_path / "outside.txt").write_text(numbered(7))
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text(numbered(1))
    (tmp_path / "c" / "link.txt").symlink_to(tmp_path / "outside.txt")
    df = load(str(tmp_path / "c" / "*.txt"))
    assert reasons(df)["link.txt"] == (None, "symlink leaves the corpus folder")
    assert df.title.tolist() == ["Council meeting 1"]


# ------------------------------------------------------------------------ all of them at once

_FILE_LEVEL = {"symlink leaves the corpus folder", "not a regular file", "broken symlink", "symlink loop",
               "unreadable folder", "folder already read", "link member", "compression ratio too high", "corrupt archive member",
               "encrypted archive member", "unsupported compression", "file too large", "undecodable bytes"}


def build_hostile_folder(tmp_path, monkeypatch):
    """Every hostile input of issue 16 in one folder; returns (folder, number of inputs)."""
    root = tmp_path / "corpus"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text(f"{SECRET}\n")
    inputs = 0

    def add(name: str, payload: str | bytes) -> None:
        nonlocal inputs
        path = root / name
        path.write_bytes(payload.encode() if isinstance(payload, str) else payload)
        inputs += 1

    for n in range(1, 4):
        add(f"good{n}.txt", numbered(n))
    add("host_ctrl.txt", article(url="https://evil\x1b[31m.example/a"))
    add("obj_url.txt", article(url="https://[object Object]", body=("Obj.",)))
    add("future.txt", article(date="29991231", url="https://a.example/f", body=("F.",)))
    add("past.txt", article(date="16770101", url="https://a.example/p", body=("P.",)))
    add("utf16.txt", numbered(4).encode("utf-16"))
    add("utf16_nobom.txt", numbered(5).encode("utf-16-le"))
    add("nul.txt", numbered(6).replace("council", "coun\x00cil"))
    add("name\x1b[2J.txt", article(date="2023", url="https://a.example/n", body=("N.",)))
    # CSV: long field (loads), now (reject), non-UTF-8 row (reject), 3000-01-01 (reject), good
    add("t.csv", ("title,date,url,text\n"
                  f"Long,2023-01-02,https://b.example/1,\"{'Word ' * 30_000}\"\n"
                  "Now,now,https://b.example/2,Now body.\n").encode()
        + b"Latin,2023-01-03,https://b.example/3,Caf\xe9.\n"
        + b"Far,3000-01-01,https://b.example/4,Far body.\nOk,2023-01-05,https://b.example/5,Ok body.\n")
    inputs += 4                                         # five rows in all
    add("t.jsonl", json.dumps({"title": ["x"], "text": "List title."}) + "\n"
        + json.dumps({"title": "Obj", "text": {"a": 1}}) + "\n"
        + json.dumps({"title": "Json ok", "text": "Json body.", "url": "https://c.example/1"}) + "\n")
    inputs += 2
    bomb = article(url="https://a.example/bomb").encode() + b"a" * (24 * 2**20)
    zipped = _zip_bytes({"m1.txt": numbered(7).encode(), "bomb.txt": bomb, "m3.txt": numbered(8).encode(),
                         "m4.txt": numbered(9).encode(), "m5.txt": numbered(10).encode()},
                        method=zipfile.ZIP_DEFLATED)
    zipped = _patch_zip_header(zipped, 3, flags=0x1)                 # m4 "encrypted"
    zipped = _patch_zip_header(zipped, 4, method=9)                  # m5 deflate64
    add("archive.zip", zipped)
    inputs += 4
    crc = bytearray(_zip_bytes({"ok.txt": numbered(11).encode(), "crc.txt": numbered(12).encode()}))
    crc[crc.find(b"the 12th")] = ord("T")
    add("crc.zip", bytes(crc))
    inputs += 1
    _tar_with_links(root / "links.tar")
    inputs += 5
    (root / "folder.txt").mkdir()
    (root / "folder.txt" / "inner.txt").write_text(numbered(13))
    inputs += 2
    os.mkfifo(root / "pipe.txt")
    (root / "broken.txt").symlink_to(root / "missing.txt")
    (root / "loop.txt").symlink_to(root / "loop.txt")
    (root / "leak.txt").symlink_to(outside / "passwd")
    (root / "leakdir").symlink_to(outside, target_is_directory=True)
    (root / "locked").mkdir()
    (root / "locked" / "hidden.txt").write_text(numbered(14))
    _unreadable(monkeypatch, root / "locked")
    inputs += 6
    (root / "README").write_text("Not an article.\n")               # skipped by name, not an input

    return root, inputs


def test_one_folder_with_every_hostile_input(tmp_path, monkeypatch, capsys):
    root, inputs = build_hostile_folder(tmp_path, monkeypatch)
    df = load(root)
    rej = rejects(df)
    assert_accounted(df, inputs)
    assert df.attrs["skipped"]["count"] == 1
    expected_titles = {f"Council meeting {n}" for n in (1, 2, 3, 4, 5, 7, 8, 11, 13)} | {"Long", "Ok", "Json ok"}
    assert set(df.title) == expected_titles
    for row in rej.itertuples(index=False):
        assert row.path and row.reason, row
        assert pd.notna(row.line) or "!" in row.path or row.reason in _FILE_LEVEL, row
    assert_no_content_in_details(df, "TOPSECRET", "Caf", "object Object", "evil", "[2J", "2999")
    assert cli(["info", str(root)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and f"rejected    {len(rej)}" in out


def test_table_dates_take_iso_rfc2822_and_yyyymmdd_only(tmp_path):
    (tmp_path / "t.csv").write_text(
        "title,date,text\nIso,2023-03-01,A.\nIsoTime,2023-03-01T23:30:00Z,B.\nCompact,20230302,C.\n"
        "Rfc,\"Thu, 02 Mar 2023 10:00:00 +0100\",D.\nSlashes,03/01/2023,E.\nWords,\"March 1, 2023\",F.\n"
        "Empty,,G.\n")
    df = load(tmp_path / "t.csv").set_index("title")
    assert df.date.dropna().to_dict() == {"Iso": pd.Timestamp("2023-03-01"),
                                          "IsoTime": pd.Timestamp("2023-03-01 23:30"),
                                          "Compact": pd.Timestamp("2023-03-02"),
                                          "Rfc": pd.Timestamp("2023-03-02 09:00")}
    assert df.date.isna().tolist() == [False] * 4 + [True]          # an empty date: undated, not a reject
    assert list(zip(rejects(df).line, rejects(df).reason)) == [(6, "invalid date"), (7, "invalid date")]


# =============================================================== phase 2: outputs and cache
# (items 7, 10, 16, 19) — spaCy work kept small: a few short articles written here, n_process=1

PHASE2_TEXTS = [
    "Mayor Alma Reyes opened the new bridge in Portvale on Monday. Reyes thanked the engineers.",
    "The Portvale council met Tomas Brandt in Eastmoor. Brandt promised new buses for Eastmoor.",
    "Fishermen in Northhaven welcomed the decision. Alma Reyes visited Northhaven on Friday.",
    "Tomas Brandt and Alma Reyes signed the agreement in Portvale. Both praised the council.",
]


def phase2_articles(n=4) -> pd.DataFrame:
    return pd.DataFrame({"article_id": [f"h{i}" for i in range(n)], "text": PHASE2_TEXTS[:n],
                         "date": pd.to_datetime(["2023-05-01", "2023-05-02", "2023-05-03", "2023-05-04"][:n]),
                         "title": [f"T{i}" for i in range(n)], "source": ["a.example"] * n})


def _tables_equal(a, b) -> None:
    for t in ("articles", "sentences", "mentions", "dates"):
        pd.testing.assert_frame_equal(getattr(a, t).reset_index(drop=True), getattr(b, t).reset_index(drop=True))


def test_annotate_to_keeps_the_old_output_when_a_run_fails_or_dies(tmp_path):
    from newskit.annotations import Annotations
    from newskit.pipeline import annotate_to

    out = tmp_path / "ann"
    annotate_to(phase2_articles(4), out, part_size=2, n_process=1, cache=False, progress=False)
    before = Annotations.load(out)
    assert len(before.articles) == 4
    bad = tmp_path / "bad.yml"
    bad.write_text("actors:\n  - name: [unclosed\n")
    with pytest.raises(Exception):  # fails at the very end (actor resolution), after all parts are written
        annotate_to(phase2_articles(2), out, part_size=1, n_process=1, cache=False, progress=False,
                    actor_file=bad)
    _tables_equal(Annotations.load(out), before)
    assert not list(tmp_path.glob(".ann.*"))                       # the staging folder was removed

    # killed (os._exit: no cleanup runs) just before the run would finish
    script = (f"import os, pandas as pd\n"
              f"from newskit.pipeline import parts as P\n"
              f"from newskit.pipeline import annotate_to\n"
              f"P.finish = lambda *a, **k: os._exit(9)\n"
              f"df = pd.read_parquet({str(out / 'articles')!r}).head(2)\n"
              f"annotate_to(df, {str(out)!r}, part_size=1, n_process=1, cache=False, progress=False)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 9, run.stderr
    _tables_equal(Annotations.load(out), before)
    assert len(list(tmp_path.glob(".ann.tmp-*"))) == 1              # left by the killed run ...
    again = annotate_to(phase2_articles(3), out, part_size=2, n_process=1, cache=False, progress=False)
    assert not list(tmp_path.glob(".ann.*"))                       # ... and cleaned by the next one
    assert len(Annotations.load(again).articles) == 3


def test_a_run_killed_mid_swap_gets_its_old_output_back(tmp_path):
    from newskit.pipeline import parts as P

    out = tmp_path / "ann"
    old = tmp_path / ".ann.old-123"
    old.mkdir()
    (old / "meta.json").write_text("{}")
    work = P.staging(str(out))
    assert (out / "meta.json").exists() and not old.exists() and Path(work).is_dir()
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="not a folder"):
        P.staging(str(tmp_path / "file"))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("a user's own file")
    with pytest.raises(FileExistsError, match="not an annotations folder"):
        P.staging(str(mine))                                       # never replaced as a whole
    assert (mine / "thesis.docx").exists()


def test_annotate_cli_refuses_an_output_that_is_not_an_annotations_folder(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(numbered(1))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    assert cli(["annotate", str(corpus), str(mine), "--no-cache", "--n-process", "1"]) == 2
    assert "not an annotations folder" in capsys.readouterr().err
    assert (mine / "notes.txt").read_text() == "keep me"


def test_annotations_load_verifies_parts_against_meta(tmp_path):
    from newskit.annotations import Annotations, AnnotationsError
    from newskit.pipeline import annotate_to

    out = annotate_to(phase2_articles(4), tmp_path / "ann", part_size=2, n_process=1, cache=False,
                      progress=False)
    meta = json.loads((out / "meta.json").read_text())
    assert "mentions/part-00001.parquet" in meta["checksums"]
    part = out / "mentions" / "part-00001.parquet"
    saved = part.read_bytes()
    part.unlink()
    with pytest.raises(AnnotationsError, match="mentions/part-00001.parquet listed in meta.json is missing"):
        Annotations.load(out)
    part.write_bytes((out / "sentences" / "part-00000.parquet").read_bytes())   # a wrong file in its place
    with pytest.raises(AnnotationsError, match="mentions/part-00001.parquet"):
        Annotations.load(out)
    part.write_bytes(saved[:-1] + bytes([saved[-1] ^ 1]))                        # one byte changed
    with pytest.raises(AnnotationsError, match="mentions/part-00001.parquet"):
        Annotations.load(out)
    part.write_bytes(saved)
    extra = out / "sentences" / "part-00007.parquet"
    extra.write_bytes(saved)
    with pytest.raises(AnnotationsError, match="sentences/part-00007.parquet is not listed"):
        Annotations.load(out)
    extra.unlink()
    assert len(Annotations.load(out).articles) == 4
    # save() records checksums too
    ann = newskit.annotations.Annotations(articles=phase2_articles(1))
    d = ann.save(tmp_path / "saved")
    Annotations.load(d)
    (d / "articles.parquet").write_bytes((d / "sentences.parquet").read_bytes())
    with pytest.raises(AnnotationsError, match="articles.parquet"):
        Annotations.load(d)


def _step_shards(cache: Path, step: str) -> list[Path]:
    return sorted(cache.glob(f"steps/{step}-*/shard-*"))


def test_cache_validates_manifest_structure_and_keys(tmp_path):
    from newskit.pipeline import annotate

    cache = tmp_path / "c"
    arts = phase2_articles(4)
    first = annotate(arts, cache_dir=cache, progress=False, n_process=1)
    # a manifest trimmed by half: its shard's rows for the dropped keys must not come back twice
    for shard in _step_shards(cache, "sentences"):
        man = json.loads((shard / "manifest.json").read_text())
        man["keys"] = man["keys"][: len(man["keys"]) // 2]
        (shard / "manifest.json").write_text(json.dumps(man))
    with pytest.warns(UserWarning, match="keys the manifest does not list"):
        again = annotate(arts, cache_dir=cache, progress=False, n_process=1)
    _tables_equal(again, first)
    for bad in ("null", "[]", '{"keys": 5}', '{"keys": ["a", "a"], "files": {}}'):
        for shard in _step_shards(cache, "entities"):
            (shard / "manifest.json").write_text(bad)
        with pytest.warns(UserWarning, match="bad manifest"):
            ann = annotate(arts, cache_dir=cache, progress=False, n_process=1)
        _tables_equal(ann, first)


def test_unwritable_cache_degrades_to_an_uncached_run(tmp_path, monkeypatch):
    import errno as _errno

    import pyarrow.parquet as pq

    from newskit.pipeline import annotate

    arts = phase2_articles(3)
    plain = annotate(arts, cache=False, progress=False, n_process=1)
    blocker = tmp_path / "cachefile"
    blocker.write_text("a file where the cache folder should be")
    with pytest.warns(UserWarning, match="cannot write"):
        ann = annotate(arts, cache_dir=blocker, progress=False, n_process=1)
    _tables_equal(ann, plain)
    for code in (_errno.ENOSPC, _errno.EROFS):
        def full(*args, code=code, **kwargs):
            raise OSError(code, os.strerror(code))
        monkeypatch.setattr(pq, "write_table", full)
        cache = tmp_path / f"c{code}"
        with pytest.warns(UserWarning, match="cannot write"):
            ann = annotate(arts, cache_dir=cache, progress=False, n_process=1)
        _tables_equal(ann, plain)
        assert not list(cache.glob("steps/*/.tmp-shard-*"))
        monkeypatch.undo()


def test_stale_tmp_shards_are_cleaned(tmp_path):
    from newskit.pipeline import annotate

    cache = tmp_path / "c"
    arts = phase2_articles(2)
    annotate(arts, cache_dir=cache, progress=False, n_process=1)
    step_dir = _step_shards(cache, "entities")[0].parent
    stale, fresh = step_dir / ".tmp-shard-killed", step_dir / ".tmp-shard-writing"
    for d in (stale, fresh):
        d.mkdir()
        (d / "mentions.parquet").write_bytes(b"partial")
    os.utime(stale, (0, 0))
    annotate(arts, cache_dir=cache, progress=False, n_process=1)
    assert not stale.exists() and fresh.exists()      # a concurrent writer's folder is left alone


def test_article_over_the_model_max_length_is_processed_in_pieces(monkeypatch):
    from newskit.pipeline import annotate
    from newskit.pipeline import model as model_mod

    nlp = model_mod.load_model()
    assert model_mod.load_model() is nlp                          # the pipeline uses this very object
    long_text = " ".join(PHASE2_TEXTS * 40)                       # ~14,000 characters
    monkeypatch.setattr(nlp, "max_length", 2000)
    with pytest.raises(ValueError, match="E088"):
        list(nlp.pipe([long_text]))                                # what spaCy does on its own
    arts = pd.concat([phase2_articles(2), pd.DataFrame({"article_id": ["long"], "text": [long_text],
                                                        "date": [pd.Timestamp("2023-05-09")],
                                                        "title": ["Long"], "source": ["a.example"]})],
                     ignore_index=True)
    ann = annotate(arts, cache=False, progress=False, n_process=1)
    m = ann.mentions[ann.mentions.article_id == "long"]
    assert len(m) > 100 and (m.text == [long_text[s:e] for s, e in zip(m.start, m.end)]).all()
    assert set(ann.mentions.article_id) == {"h0", "h1", "long"}

    from newskit.pipeline.steps import entity_spans

    spans = entity_spans(nlp, [long_text, PHASE2_TEXTS[0]])
    assert all(long_text[s:e] == text for s, e, _, text in spans[0])
    assert sum(1 for *_, t in spans[0] if t == "Portvale") == long_text.count("Portvale")
    assert spans[1] == [(e.start_char, e.end_char, e.label_, e.text) for e in nlp(PHASE2_TEXTS[0]).ents]
