"""``netsim sh`` against the real ``/bin/bash``: each snippet runs through both
and must print the same stdout and stderr and exit with the same status.

bash runs the snippet as a script file named ``netsim`` (so its messages read
``netsim: line N: ...`` as netsim's do) in an empty directory, with
``LC_ALL=C`` (pathname expansion sorts bytewise); netsim runs it in a fresh
world whose working directory ``/root`` is empty too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from netsim import World

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def bash(script: str, tmp: Path) -> tuple[str, str, int]:
    (tmp / "s").mkdir()
    (tmp / "w").mkdir()
    (tmp / "s" / "netsim").write_text(script)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": "/root"}
    r = subprocess.run(
        ["bash", "../s/netsim"],
        cwd=tmp / "w",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return r.stdout, r.stderr.replace("../s/netsim:", "netsim:"), r.returncode


def netsim(script: str) -> tuple[str, str, int]:
    r = World(seed=1).sh(script)
    return r.stdout, r.stderr, r.status


CASE = {
    "alternatives_and_classes": (
        "x=3\n"
        "case $x in 1|2) echo low;; [3-5]) echo mid;; *) echo other;; esac\n"
        "case x in [!a]) echo neg;; esac; case x in [^x]) echo n2;; *) echo caret;; esac\n"
        "case -v in -*) echo opt;; esac; case '' in '') echo empty;; esac\n"
        "case x in (x) echo paren;; esac; case y in x) echo no;; esac; echo st=$?\n"
    ),
    "quoted_parts_are_literal": (
        'case "a*b" in "a*"*) echo quoted;; esac\n'
        "case abc in a\\*) echo no;; a*) echo yes;; esac\n"
        'p="a*"; case abc in $p) echo pat;; esac\n'
        'case abc in "$p") echo lit;; *) echo nolit;; esac\n'
    ),
    "fall_through": (
        "case abc in a*) echo one ;& z) echo fell;; q) echo q;; esac\n"
        "case abc in a*) echo one;;& *c) echo two;; *) echo three;; esac\n"
        "case abc in\n  a*)\n    echo multi\n    ;;\nesac\n"
    ),
}

FUNCTIONS = {
    "positional_local_return": (
        'f() { echo "f:$# [$1] [$2]"; local v=in; g=global; return 3; }\n'
        'v=out; f a "b c"; echo "st=$? v=$v g=$g"; echo "$#"\n'
        'function h { for a in "$@"; do echo "<$a>"; done; }\n'
        'h 1 "2 3" ""; f2() { return 300; }; f2; echo $?\n'
    ),
    "dynamic_scope_and_recursion": (
        'x=1; f() { local x=2; g; }; g() { echo "g sees $x"; }; f; echo $x\n'
        "fact() { if (( $1 <= 1 )); then echo 1; "
        "else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }; fact 10\n"
        'f() { local y; echo "[${y-unset}]"; }; y=1; f; echo $y\n'
        'j() { local IFS=,; echo "$*" $*; }; j a b c; echo "$*"\n'
    ),
    "errors_outside_functions": (
        "return 2; echo $?; local x=1; echo $?\nfor i in 1 2; do f() { break; }; f; echo $i; done\n"
    ),
    "redirected_body_and_exit": (
        'f() { echo "in f $1"; } > out; f x; cat out; g() { cat; }; echo piped | g\n'
        "h() ( x=2; echo $x ); x=1; h; echo $x\n"
        "e() { exit 3; echo no; }; e; echo not\n"
    ),
    "set_e_in_functions": (
        "set -e; f() { false; echo no; }; f || echo caught\n"
        "g() { false; echo never; }; g; echo after\n"
    ),
}

ARITH = {
    "operators": (
        "x=1\n"
        "echo $((x+=2, x*3)) $x $((x++)) $x $((--x)) $(( 7 % 3 ** 2 )) $(( -7 / 2 ))\n"
        "echo $(( -7 % 2 )) $((1?2:3)) $((0x10 + 010 + 2#101)) $((1<2 && 3>4 || !0))\n"
        "echo $(( y )) $(( z = 5 )) $z $(( 2 ** 62 * 4 )) $(( ~5 )) $(( 5 & 3 | 8 ^ 1 ))\n"
        'echo $(( 1 << 4 >> 1 )) $(( -2**2 )) $(( 0 && 1/0 )) "$(( x + 1 ))"\n'
        's="3 + 4"; echo $(( s * 2 )) $(( $s * 2 )); a=b; b=7; echo $(( a + 1 ))\n'
    ),
    "command_and_c_for": (
        "(( 2 > 1 )) && echo y; (( 0 )); echo $?; (( i = 3 )); echo $i\n"
        "i=0; while (( i < 3 )); do echo i=$i; (( i++ )); done\n"
        "for ((j=0; j<3; j++)); do printf '%s,' $j; done; echo\n"
        "for (( k=2 ; k>0 ; k-- )) ; do echo k$k; done; for ((;;)); do break; done\n"
    ),
    "errors": (
        "echo $((1/0)); echo not here\necho st=$?\n"
        "(( 1 + )); echo $?; echo $(( 09 ))x\n"
        "f() { echo in; echo $((2**-1)); echo no; }; f; echo no\n"
        "echo $(( a b )) $(( x = ))\necho end\n"
    ),
}

PRINTF = {
    "conversions": (
        "printf '%5s|%-5s|%05d|%x|%o|%c|%%|%b\\n' ab cd 42 255 8 hello 'a\\tb'\n"
        "printf '%s=%d\\n' a 1 b 2 c\n"
        "printf '%d %d %d %d\\n' \"'A\" 0x1f 010 -5; printf '%x %o %u\\n' -1 -8 -1\n"
        "printf '%*d|%-*d|%.*s|\\n' 4 7 3 9 2 abcdef; printf '%+d % d %#x %#o\\n' 4 5 255 8\n"
        "printf '%5.2f|%e|%g\\n' 3.14159 1234.5 0.0001; printf '%i %X\\n' 42 255\n"
        "printf '%-4s|\\n' \u00e9; printf '\\x41\\101\\n'; printf '%b\\n' 'x\\0101y\\\\z'\n"
        "printf '%s\\n'; printf '[%s]\\n' a '' c; printf 'no newline'; echo\n"
        "printf -v v '%s-%s' a b; echo $v; printf '%b' 'a\\cb'; echo; printf -- '-%s\\n' x\n"
    ),
    "errors": (
        "printf '%d\\n' x; echo st=$?; printf '%d\\n' 1.5 2abc; echo $?\n"
        "printf; echo $?; printf '%z'; echo $?; printf 'a%5%b\\n'; echo $?\n"
    ),
}

READ = {
    "splitting": (
        'IFS=: read a b <<< "1:2:"; echo "[$a][$b]"\n'
        'IFS=: read a b <<< "1:2:3:"; echo "[$a][$b]"\n'
        'read a b <<< "  x  y   z  "; echo "[$a][$b]"; read a b <<< "x"; echo "[$a][$b]"\n'
        'read a <<< "  x\\ y  "; echo "[$a]"; read -r a <<< "  x\\ y  "; echo "[$a]"\n'
        'read <<< "  r  "; echo "[$REPLY]"; IFS=, read a b c <<< "1,,3"; echo "[$a][$b][$c]"\n'
        'read x < /dev/null; echo "st=$?"; echo "" | { read x; echo "st=$? [$x]"; }\n'
    ),
    "loops": (
        "printf 'l1\\nl2 x\\n' > f.txt\n"
        'while read -r line; do echo "got $line"; done < f.txt\n'
        'cat f.txt | while read a b; do echo "[$a|$b]"; done\n'
        "n=0; cat f.txt | while read l; do n=$((n+1)); done; echo n=$n\n"
        'printf \'l1\\nl2\' | { while read l; do echo "<$l>"; done; echo "[$l]"; }\n'
        'while read -r a; do echo "[$a]"; cat; done <<EOF\nl1\nl2\nl3\nEOF\n'
        'echo "a b" | (read p; echo "sub $p"); echo "p=$p"; : ; true; false; echo $?\n'
    ),
    "ifs_word_splitting": (
        'v="a:b::c"; IFS=:; for x in $v; do echo "<$x>"; done\n'
        'IFS=" "; for x in $v; do echo "[$x]"; done; unset IFS\n'
        'w=" p  q "; for x in x$w"y"; do echo "{$x}"; done\n'
    ),
}

GLOB = {
    "files": (
        'echo a > f1; echo b > f2; echo f*; echo "f*"; echo f\\*; x=\'f*\'; echo $x "$x"\n'
        'echo [f]1 f? nomatch* .f*; ls f*; for f in f?; do echo "F $f"; done\n'
    ),
    "directories": (
        "mkdir -p a/b c; echo x > a/b/f; echo x > a/g; echo x > a/.hidden\n"
        "echo */; echo */*; echo */*/f; echo a/*/; echo ./a/*; echo a/.h*; echo a/[!g]\n"
    ),
}

GROUPS = {
    "subshell_and_group": (
        'd=$(pwd); (cd /; x=sub; echo in $x; exit 4); echo "st=$? x=$x"; [ "$(pwd)" = "$d" ]\n'
        "{ echo g1; echo g2; } > out.txt; cat out.txt; { echo e >&2; } 2>&1\n"
        "x=1; { x=2; }; echo $x; (x=3; (x=4; echo $x); echo $x); echo $x\n"
        "echo start; { echo a; false; } && echo and || echo or; ! { true; }; echo $?\n"
        "set -e; (false; echo no); echo after\n"
    ),
    "pipelines_are_subshells": (
        "x=$(exit 5); echo $?; (exit 6); echo $?; true | false; echo $?\n"
        "echo hi | exit 7; echo $?; y=1; echo | y=2; echo $y\n"
    ),
}

SYNTAX = {
    "unexpected_token": "echo a\necho b; fi\necho c\n",
    "unterminated_quote": 'echo a\necho "abc\necho c\n',
    "missing_fi": "echo a\nif true; then\necho c\n\n",
    "missing_fi_no_newline": "echo a\nif true; then\necho c",
    "open_function": "echo a\nf() { echo x\n",
    "close_paren": "echo a\n)\n",
    "open_case": "echo a\ncase x in\n",
    "bad_case_item": "echo a\ncase x in a) echo;; b echo;; esac\n",
    "open_arith": "echo $((1+\necho b\n",
    "function_body_not_compound": "f() echo x\necho b\n",
    "done_without_loop": "echo a\ndone\n",
    "empty_then": "echo a\nif true; then fi\n",
}

ALL = {
    **{f"case-{k}": v for k, v in CASE.items()},
    **{f"function-{k}": v for k, v in FUNCTIONS.items()},
    **{f"arith-{k}": v for k, v in ARITH.items()},
    **{f"printf-{k}": v for k, v in PRINTF.items()},
    **{f"read-{k}": v for k, v in READ.items()},
    **{f"glob-{k}": v for k, v in GLOB.items()},
    **{f"group-{k}": v for k, v in GROUPS.items()},
    **{f"syntax-{k}": v for k, v in SYNTAX.items()},
}


@pytest.mark.parametrize("script", list(ALL.values()), ids=list(ALL))
def test_same_as_bash(script: str, tmp_path: Path) -> None:
    assert netsim(script) == bash(script, tmp_path)
