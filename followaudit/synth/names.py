"""Usernames, display names and bios whose patterns overlap between fake and genuine accounts."""

from __future__ import annotations

import numpy as np
import polars as pl

# Word lists kept as one string each so the module stays short.
FIRST = (  # noqa: SIM905
    "anna maria luca marco giulia sara laura paolo andrea chiara emma mia noah liam olivia ava "
    "sofia lucas leo mateo isabella camila diego juan ana pedro carlos lucia elena jonas ben "
    "lena max felix hannah lea amir omar layla yusuf zeynep emre aylin arjun priya rohan ananya "
    "kenji yuki hana minh linh an bao tuan jake chloe ryan tyler megan kayla jordan taylor alex "
    "sam nina ivan olga dmitri katya tomas eva jan petra kim lee park chen wei mei jun ali sara "
    "fatima aisha chidi ngozi kofi ama thiago gabriel rafael beatriz joao mariana"
).split()
LAST = (  # noqa: SIM905
    "rossi russo ferrari bianchi romano smith jones brown garcia martinez lopez gonzalez silva "
    "santos souza muller schmidt schneider fischer weber yilmaz kaya demir sharma patel singh "
    "kumar tanaka suzuki sato nguyen tran le pham kim lee park chen wang li zhang ivanov "
    "petrov novak dubois martin bernard moreau costa oliveira pereira okafor mensah adeyemi"
).split()
WORDS = (  # noqa: SIM905
    "sun moon star sky blue dream happy lucky sweet cool dance music vibes travel food coffee "
    "pizza cat dog bunny angel wolf tiger king queen baby boss gamer pixel shadow storm fire "
    "ice ocean wave rose lily cherry honey sugar magic crazy wild free soul life love art "
    "style beauty fit gym runner chef artist official real tiny big golden silver dark light"
).split()
BIO_PARTS = (  # noqa: SIM905
    "dancer|student|mom of 2|coffee addict|living my best life|travel lover|gamer|foodie|"
    "dog mom|cat dad|artist|photographer|music is life|just vibes|be kind|fitness|makeup|"
    "follow for more|comedy|daily vlogs|nurse|engineer|teacher|football fan|anime|books|"
    "she/her|he/him|ig: @{u}|yt: {u}|business: {u}@mail.com|\U0001f1ee\U0001f1f9|"
    "\U0001f1fa\U0001f1f8|\U0001f1e9\U0001f1ea|\u2728|\U0001f496|\U0001f3b5|\U0001f30d|{age}|"
    "{age} \u2022 {city}|not active here|new account|hi|:)|link below|dm me|"
    "just a girl who loves sunsets and good food|living one day at a time|"
    "sharing my life with you all|official account of {u}|content creator based in {city}|"
    "proud parent, coffee first|here for the funny videos|running, reading, repeating|"
    "I post whatever I want lol|collabs: DM or mail|small account, big dreams"
).split("|")
SPAM_BIOS = (  # noqa: SIM905
    "follow back|f4f|dm for promo|follow me|new here|hi|\u2764\ufe0f|check my profile|"
    "promo in bio|l4l|gain followers fast|earn money online"
).split("|")
CITIES = (  # noqa: SIM905
    "Milano Roma Madrid Paris Berlin London NYC LA Istanbul Mumbai Tokyo Seoul Manila Lagos"
).split()
CONSONANTS = np.array(list("bcdfghjklmnprstvwxyz"))
VOWELS = np.array(list("aeiouy"))
LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))

# username style -> probability, by account kind; styles overlap on purpose.
USERNAME_STYLES = ("name", "name_digits", "words", "word_digits", "syllables", "letters", "default")
STYLE_P = {
    "genuine": (0.40, 0.16, 0.24, 0.08, 0.02, 0.02, 0.08),
    "lurker": (0.22, 0.20, 0.14, 0.10, 0.03, 0.03, 0.28),
    "creator": (0.45, 0.10, 0.35, 0.08, 0.0, 0.0, 0.02),
    "fake": (0.06, 0.14, 0.04, 0.30, 0.24, 0.14, 0.08),
    "camouflaged": (0.32, 0.30, 0.12, 0.14, 0.06, 0.02, 0.04),
    "newcomer": (0.12, 0.12, 0.08, 0.06, 0.02, 0.02, 0.58),  # most keep the app's default handle
    "second": (0.30, 0.25, 0.15, 0.10, 0.02, 0.03, 0.15),
    "premium": (0.38, 0.18, 0.22, 0.10, 0.03, 0.02, 0.07),  # bought for looking like people
    "single": (0.02, 0.10, 0.02, 0.30, 0.25, 0.21, 0.10),
}
SECOND_SUFFIXES = ["2", "_2", ".2", "_backup", "backup", "_alt", ".alt", "_priv", "_spam", "2nd"]


def _pick(rng: np.random.Generator, words: list[str] | np.ndarray, n: int) -> np.ndarray:
    return np.asarray(words, dtype=object)[rng.integers(0, len(words), n)]


def _char_rows(chars: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Rows of single ASCII characters -> strings of the given lengths, without a Python loop."""
    grid = chars.astype("S1").view(np.uint8).reshape(chars.shape).copy()
    grid[np.arange(grid.shape[1])[None, :] >= lengths[:, None]] = 0
    return grid.view(f"S{grid.shape[1]}").ravel().astype(str).astype(object)


def _syllables(rng: np.random.Generator, n: int) -> np.ndarray:
    """Pronounceable random strings like 'gyzituvigy' (consonant-vowel pairs)."""
    pairs = rng.integers(3, 8, n)
    grid = np.empty((n, 14), dtype="<U1")
    grid[:, 0::2] = CONSONANTS[rng.integers(0, len(CONSONANTS), (n, 7))]
    grid[:, 1::2] = VOWELS[rng.integers(0, len(VOWELS), (n, 7))]
    return _char_rows(grid, 2 * pairs)


def _letters(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random lowercase strings, optionally followed by digits ('tshphjtowl2401583')."""
    letters = _char_rows(LETTERS[rng.integers(0, 26, (n, 12))], rng.integers(6, 13, n))
    digits = rng.integers(0, 10**7, n).astype(str).astype(object)
    return letters + np.where(rng.random(n) < 0.5, digits, "")


def _digits(rng: np.random.Generator, n: int, low: int, high: int) -> np.ndarray:
    """Digit suffixes of low..high digits; two-digit ones look like birth years."""
    width = rng.integers(low, high + 1, n)
    values = rng.integers(0, 10**width)
    years = rng.integers(1975, 2012, n)
    out = np.array([str(v).zfill(w) for v, w in zip(values, width, strict=True)], dtype=object)
    year_like = (width == 4) & (rng.random(n) < 0.6)
    out[year_like] = years[year_like].astype(str)
    return out


def usernames(rng: np.random.Generator, kinds: np.ndarray) -> np.ndarray:
    """One username per account; `kinds` names the account kind (keys of STYLE_P)."""
    n = len(kinds)
    style = np.empty(n, dtype=np.int8)
    for kind, probs in STYLE_P.items():
        mask = kinds == kind
        style[mask] = rng.choice(len(USERNAME_STYLES), mask.sum(), p=probs)
    first, last, word, word2 = (
        _pick(rng, FIRST, n),
        _pick(rng, LAST, n),
        _pick(rng, WORDS, n),
        _pick(rng, WORDS, n),
    )
    sep = _pick(rng, ["", "", "_", "."], n)
    candidates = {
        0: first + sep + last,
        1: first + np.where(rng.random(n) < 0.4, last, "") + _digits(rng, n, 2, 4),
        2: word + sep + np.where(rng.random(n) < 0.6, word2, first),
        3: word + np.where(rng.random(n) < 0.5, first, "") + _digits(rng, n, 3, 7),
        4: _syllables(rng, n) + np.where(rng.random(n) < 0.5, _digits(rng, n, 2, 4), ""),
        5: _letters(rng, n),
        6: "user" + _digits(rng, n, 10, 13),
    }
    out = np.empty(n, dtype=object)
    for code, values in candidates.items():
        out[style == code] = values[style == code]
    return _unique(rng, out)


PREFIXES = ["its", "the", "real", "iam", "hey", "just", "x", "mr", "ms", "", "", "", ""]
SUFFIXES = [
    "_",
    "__",
    "x",
    "xo",
    "_official",
    ".tv",
    "vlogs",
    "official",
    "ig",
    "_jr",
    "daily",
    "xx",
]


def _later_duplicates(names: np.ndarray) -> np.ndarray:
    return ~pl.Series(names, dtype=pl.String).is_first_distinct().to_numpy()


def _unique(rng: np.random.Generator, names: np.ndarray) -> np.ndarray:
    """Handles are unique: people whose handle is taken decorate it ('its', '_', 'x'), then add digits."""
    for attempt in range(8):
        idx = np.flatnonzero(_later_duplicates(names))
        if not len(idx):
            return names
        if attempt < 2:
            names[idx] = (
                _pick(rng, PREFIXES, len(idx)) + names[idx] + _pick(rng, SUFFIXES, len(idx))
            )
        else:
            names[idx] = names[idx] + rng.integers(0, 10 ** (attempt + 1), len(idx)).astype(str)
    raise RuntimeError(
        "could not make usernames unique"
    )  # pragma: no cover - 8 rounds always suffice


def second_handles(rng: np.random.Generator, users: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Half of all second accounts are named after the owner's handle ('anna.rossi_backup')."""
    users = users.copy()
    named = np.flatnonzero((owner >= 0) & (rng.random(len(users)) < 0.5))
    users[named] = users[owner[named]] + _pick(rng, SECOND_SUFFIXES, len(named))
    return _unique(rng, users)


def display_names(rng: np.random.Generator, kinds: np.ndarray, users: np.ndarray) -> np.ndarray:
    """Display names: real names for most people, blanks, handles and nicknames for others."""
    n = len(kinds)
    first = np.char.capitalize(_pick(rng, FIRST, n).astype(str)).astype(object)
    last = np.char.capitalize(_pick(rng, LAST, n).astype(str)).astype(object)
    word = _pick(rng, WORDS, n)
    options = np.stack(
        [
            first + " " + last,
            first,
            word + " " + first,
            users,
            np.full(n, None, dtype=object),
            first + _digits(rng, n, 2, 3),
        ]
    )
    plain = np.isin(kinds, ["fake", "single"])
    probs = np.where(
        plain[:, None], [0.10, 0.30, 0.04, 0.16, 0.32, 0.08], [0.46, 0.24, 0.12, 0.07, 0.07, 0.04]
    )
    choice = (rng.random(n)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1).clip(0, 5)
    return options[choice, np.arange(n)]


def bios(
    rng: np.random.Generator, has_bio: np.ndarray, spammy: np.ndarray, users: np.ndarray
) -> np.ndarray:
    """Bios built from 1-5 fragments; spammy ones from generic promo phrases."""
    n = len(has_bio)
    parts = rng.integers(1, 6, n)
    chosen = rng.integers(0, len(BIO_PARTS), (n, 5))
    ages = rng.integers(16, 45, n)
    cities = rng.integers(0, len(CITIES), n)
    spam = _pick(rng, SPAM_BIOS, n)
    out = np.full(n, None, dtype=object)
    for i in np.flatnonzero(has_bio):
        if spammy[i]:
            out[i] = spam[i]
            continue
        text = " ".join([BIO_PARTS[j] for j in dict.fromkeys(chosen[i, : parts[i]])])
        if "{" in text:
            text = text.format(u=users[i], age=ages[i], city=CITIES[cities[i]])
        out[i] = text
    return out
