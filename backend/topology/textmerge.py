"""Carry an edit made on a re-emitted YAML text back onto the user's original bytes.

ruamel.yaml keeps comments and key order, but re-emitting a file can still change spacing it
does not model (``[ a, b ]`` becomes ``[a, b]``, odd indents are normalised). Users diff their
topology files, so a save must change exactly the lines that changed in meaning. We do a
three-way merge on lines: *base* is ruamel's emission of the file as loaded, *ours* is the
original text, *theirs* is ruamel's emission after the edit. Every region that base and theirs
agree on is copied from the original; every region that changed is taken from theirs.
"""

from __future__ import annotations

from difflib import SequenceMatcher


def _base_to_ours(base: list[str], ours: list[str]) -> list[int | None]:
    """For each base line, the index of the original line that spells it, or None.

    Identical lines are matched first; then, between two matches, a run of base lines and a run
    of original lines of the same length are paired one to one (the same lines, respaced).
    """
    mapping: list[int | None] = [None] * len(base)
    matcher = SequenceMatcher(a=base, b=ours, autojunk=False)
    prev_a = prev_b = 0
    for block in matcher.get_matching_blocks():
        if block.a - prev_a == block.b - prev_b:
            for offset in range(block.a - prev_a):
                mapping[prev_a + offset] = prev_b + offset
        for offset in range(block.size):
            mapping[block.a + offset] = block.b + offset
        prev_a, prev_b = block.a + block.size, block.b + block.size
    return mapping


def merge_edit(original: str, base: str, edited: str) -> str:
    """Apply the base→edited change to ``original``, keeping its untouched bytes.

    >>> merge_edit("a:  1\\nb: [ x ]\\n", "a: 1\\nb: [x]\\n", "a: 2\\nb: [x]\\n")
    'a: 2\\nb: [ x ]\\n'
    """
    if base == edited:
        return original
    if base == original:
        return edited
    base_lines = base.splitlines(keepends=True)
    ours = original.splitlines(keepends=True)
    theirs = edited.splitlines(keepends=True)
    to_ours = _base_to_ours(base_lines, ours)

    kept = [False] * len(base_lines)
    inserted: dict[int, list[str]] = {}
    for tag, b1, b2, t1, t2 in SequenceMatcher(
        a=base_lines, b=theirs, autojunk=False
    ).get_opcodes():
        if tag == "equal":
            kept[b1:b2] = [True] * (b2 - b1)
        elif t2 > t1:
            inserted.setdefault(b1, []).extend(theirs[t1:t2])

    out: list[str] = []
    ours_pos = 0
    index = 0
    total = len(base_lines)
    while index <= total:
        gap_end = index
        while gap_end < total and to_ours[gap_end] is None:
            gap_end += 1
        anchor = to_ours[gap_end] if gap_end < total else None
        ours_gap_end = anchor if anchor is not None else len(ours)
        gap = range(index, gap_end)
        untouched = all(kept[i] for i in gap) and not any(i in inserted for i in gap[1:])
        if gap and untouched:
            out.extend(inserted.get(index, []))
            out.extend(ours[ours_pos:ours_gap_end])
        elif gap:
            for i in gap:
                out.extend(inserted.get(i, []))
                if kept[i]:
                    out.append(base_lines[i])
        else:
            out.extend(ours[ours_pos:ours_gap_end])
        ours_pos = ours_gap_end
        if gap_end == total:
            out.extend(inserted.get(total, []))
            break
        out.extend(inserted.get(gap_end, []))
        if kept[gap_end]:
            out.append(ours[ours_pos])
        ours_pos += 1
        index = gap_end + 1
    return "".join(out)
