using System.Runtime.CompilerServices;

namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>
/// A recursive-descent parser for Jinja2 templates, following the grammar of <c>jinja2/parser.py</c> (the same
/// precedence, tuple, filter and test rules), with the tags Hugging Face and llama.cpp templates use, including the
/// <c>loopcontrols</c> extension (<c>break</c>, <c>continue</c>), <c>do</c> and <c>generation</c>.
/// Children by kind: For [target, iter, filter|Empty, Body, Body(else)]; If [test, Body, If|Body|Empty];
/// Set [target, value]; SetBlock [target, Filter|Empty, Body]; Macro(name) [Body(params), Body];
/// CallBlock [Body(params), call, Body]; FilterBlock [Filter, Body]; With [Pair(target, value)…, Body];
/// Getattr(name) [obj]; Getitem [obj, key]; Call [callee, args…]; Filter(name) [operand|Empty, args…];
/// Test(name) [operand, args…]; Keyword(name) [value].
/// </summary>
internal sealed class JinjaParser
{
    /// <summary>Nested expressions and blocks allowed. Jinja2 itself hits Python's recursion limit at roughly 70
    /// nested parentheses; real chat templates nest fewer than 15 levels.</summary>
    public const int MaxNesting = 128;

    private static readonly HashSet<string> s_compareOperators = new(StringComparer.Ordinal) { "==", "!=", ">", ">=", "<", "<=" };

    private readonly IReadOnlyList<JinjaToken> _tokens;
    private int _index;
    private int _depth;

    private JinjaParser(IReadOnlyList<JinjaToken> tokens) => _tokens = tokens;

    /// <summary>Parses a whole template; throws <see cref="JinjaSyntaxException"/> where Jinja2 would refuse it and
    /// <see cref="ScanLimitExceededException"/> past <see cref="MaxNesting"/>.</summary>
    public static JinjaNode Parse(string template)
    {
        var parser = new JinjaParser(JinjaLexer.Tokenize(template));
        var body = parser.Subparse(null);
        return new JinjaNode(JinjaNodeKind.Template, 1, children: body.Children);
    }

    private JinjaToken Current => _tokens[_index];

    private JinjaToken Look => _tokens[Math.Min(_index + 1, _tokens.Count - 1)];

    private JinjaToken Next()
    {
        JinjaToken token = Current;
        if (_index < _tokens.Count - 1)
        {
            _index++;
        }

        return token;
    }

    private JinjaSyntaxException Fail(string message) => new(message, Current.Line);

    private JinjaToken Expect(JinjaTokenKind kind, string what)
    {
        if (Current.Kind != kind)
        {
            throw Fail($"expected {what}, got {Current}");
        }

        return Next();
    }

    private void ExpectOp(string op)
    {
        if (!Current.Is(op))
        {
            throw Fail($"expected '{op}', got {Current}");
        }

        Next();
    }

    private bool SkipOp(string op)
    {
        if (Current.Is(op))
        {
            Next();
            return true;
        }

        return false;
    }

    private bool SkipName(string name)
    {
        if (Current.IsName(name))
        {
            Next();
            return true;
        }

        return false;
    }

    private void Enter()
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        if (++_depth > MaxNesting)
        {
            throw new ScanLimitExceededException("TemplateNesting", $"the template nests deeper than {MaxNesting} levels");
        }
    }

    private void Leave() => _depth--;

    // ---- statements ----

    // Parses until one of endTokens opens a block tag (left for the caller), or the end of the template.
    private JinjaNode Subparse(string[]? endTokens)
    {
        Enter();
        int line = Current.Line;
        var body = new List<JinjaNode>();
        while (true)
        {
            JinjaToken token = Current;
            switch (token.Kind)
            {
                case JinjaTokenKind.Data:
                    Next();
                    break;
                case JinjaTokenKind.VariableBegin:
                    Next();
                    body.Add(new JinjaNode(JinjaNodeKind.Print, token.Line, children: new[] { ParseTuple(withCondExpr: true) }));
                    Expect(JinjaTokenKind.VariableEnd, "'}}'");
                    break;
                case JinjaTokenKind.BlockBegin:
                    Next();
                    if (endTokens is not null && Current.Kind == JinjaTokenKind.Name && endTokens.Contains(Current.Value))
                    {
                        Leave();
                        return new JinjaNode(JinjaNodeKind.Body, line, children: body);
                    }

                    body.Add(ParseStatement());
                    Expect(JinjaTokenKind.BlockEnd, "'%}'");
                    break;
                case JinjaTokenKind.Eof:
                    if (endTokens is not null)
                    {
                        throw Fail($"unexpected end of template, expected {string.Join(" or ", endTokens.Select(t => $"'{t}'"))}");
                    }

                    Leave();
                    return new JinjaNode(JinjaNodeKind.Body, line, children: body);
                default:
                    throw Fail($"unexpected {token}");
            }
        }
    }

    // The block tag's '%}' is consumed, the body parsed up to an end tag; with dropNeedle the end tag's name goes too.
    private JinjaNode ParseStatements(string[] endTokens, bool dropNeedle = false)
    {
        SkipOp(":");
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        JinjaNode body = Subparse(endTokens);
        if (dropNeedle)
        {
            Next();
        }

        return body;
    }

    private JinjaNode ParseStatement()
    {
        JinjaToken token = Current;
        if (token.Kind != JinjaTokenKind.Name)
        {
            throw Fail("tag name expected");
        }

        Enter();
        try
        {
            switch (token.Value)
            {
                case "for": return ParseFor();
                case "if": return ParseIf();
                case "set": return ParseSet();
                case "macro": return ParseMacro();
                case "call": return ParseCallBlock();
                case "filter": return ParseFilterBlock();
                case "with": return ParseWith();
                case "block": return ParseBlock();
                case "extends":
                case "include":
                case "import":
                case "from":
                    return ParseLoad();
                case "print":
                    Next();
                    return new JinjaNode(JinjaNodeKind.Print, token.Line, children: new[] { ParseTuple(withCondExpr: true) });
                case "do":
                    Next();
                    return new JinjaNode(JinjaNodeKind.Do, token.Line, children: new[] { ParseTuple(withCondExpr: true) });
                case "autoescape":
                    Next();
                    JinjaNode mode = ParseExpression();
                    return new JinjaNode(JinjaNodeKind.Autoescape, token.Line, children: new[] { mode, ParseStatements(new[] { "endautoescape" }, true) });
                case "generation":
                    Next();
                    return new JinjaNode(JinjaNodeKind.Generation, token.Line, children: new[] { ParseStatements(new[] { "endgeneration" }, true) });
                case "break":
                case "continue":
                    Next();
                    return new JinjaNode(JinjaNodeKind.LoopControl, token.Line, token.Value);
                default:
                    throw Fail($"encountered unknown tag '{token.Value}'");
            }
        }
        finally
        {
            Leave();
        }
    }

    private JinjaNode ParseFor()
    {
        int line = Next().Line;
        JinjaNode target = ParseAssignTarget(extraEnd: "in");
        if (!SkipName("in"))
        {
            throw Fail("expected 'in'");
        }

        JinjaNode iter = ParseTuple(withCondExpr: false, extraEnd: "recursive");
        JinjaNode filter = SkipName("if") ? ParseExpression() : JinjaNode.Empty(line);
        SkipName("recursive");
        JinjaNode body = ParseStatements(new[] { "endfor", "else" });
        JinjaNode otherwise = Next().Value == "endfor" ? new JinjaNode(JinjaNodeKind.Body, line) : ParseStatements(new[] { "endfor" }, true);
        return new JinjaNode(JinjaNodeKind.For, line, children: new[] { target, iter, filter, body, otherwise });
    }

    // elif chains are read in a loop (a long chain is not deep nesting) and folded into nested If nodes.
    private JinjaNode ParseIf()
    {
        int line = Next().Line;
        var branches = new List<(JinjaNode Test, JinjaNode Body, int Line)>();
        JinjaNode otherwise = JinjaNode.Empty(line);
        while (true)
        {
            int branchLine = Current.Line;
            JinjaNode test = ParseTuple(withCondExpr: false);
            JinjaNode body = ParseStatements(new[] { "elif", "else", "endif" });
            branches.Add((test, body, branchLine));
            string tag = Next().Value;
            if (tag == "elif")
            {
                continue;
            }

            if (tag == "else")
            {
                otherwise = ParseStatements(new[] { "endif" }, true);
            }

            break;
        }

        JinjaNode result = otherwise;
        for (int i = branches.Count - 1; i >= 0; i--)
        {
            result = new JinjaNode(JinjaNodeKind.If, i == 0 ? line : branches[i].Line, children: new[] { branches[i].Test, branches[i].Body, result });
        }

        return result;
    }

    private JinjaNode ParseSet()
    {
        int line = Next().Line;
        JinjaNode target = ParseAssignTarget(withNamespace: true);
        if (SkipOp("="))
        {
            return new JinjaNode(JinjaNodeKind.Set, line, children: new[] { target, ParseTuple(withCondExpr: true) });
        }

        JinjaNode filter = Current.Is("|") ? ParseFilter(JinjaNode.Empty(line)) : JinjaNode.Empty(line);
        JinjaNode body = ParseStatements(new[] { "endset" }, true);
        return new JinjaNode(JinjaNodeKind.SetBlock, line, children: new[] { target, filter, body });
    }

    private JinjaNode ParseMacro()
    {
        int line = Next().Line;
        string name = Expect(JinjaTokenKind.Name, "macro name").Value;
        JinjaNode parameters = ParseSignature();
        JinjaNode body = ParseStatements(new[] { "endmacro" }, true);
        return new JinjaNode(JinjaNodeKind.Macro, line, name, new[] { parameters, body });
    }

    // (a, b=default, …) of a macro or call block: Name or Keyword(name)[default] children.
    private JinjaNode ParseSignature()
    {
        int line = Current.Line;
        var parameters = new List<JinjaNode>();
        ExpectOp("(");
        while (!Current.Is(")"))
        {
            if (parameters.Count > 0)
            {
                ExpectOp(",");
            }

            JinjaNode arg = ParseAssignTarget(withTuple: false, nameOnly: true);
            parameters.Add(SkipOp("=") ? new JinjaNode(JinjaNodeKind.Keyword, arg.Line, arg.Value, new[] { ParseExpression() }) : arg);
        }

        ExpectOp(")");
        return new JinjaNode(JinjaNodeKind.Body, line, children: parameters);
    }

    private JinjaNode ParseCallBlock()
    {
        int line = Next().Line;
        JinjaNode parameters = Current.Is("(") ? ParseSignature() : new JinjaNode(JinjaNodeKind.Body, line);
        JinjaNode call = ParseExpression();
        if (call.Kind != JinjaNodeKind.Call)
        {
            throw Fail("expected call");
        }

        JinjaNode body = ParseStatements(new[] { "endcall" }, true);
        return new JinjaNode(JinjaNodeKind.CallBlock, line, children: new[] { parameters, call, body });
    }

    private JinjaNode ParseFilterBlock()
    {
        int line = Next().Line;
        JinjaNode filter = ParseFilter(JinjaNode.Empty(line), startInline: true);
        JinjaNode body = ParseStatements(new[] { "endfilter" }, true);
        return new JinjaNode(JinjaNodeKind.FilterBlock, line, children: new[] { filter, body });
    }

    private JinjaNode ParseWith()
    {
        int line = Next().Line;
        var children = new List<JinjaNode>();
        while (Current.Kind != JinjaTokenKind.BlockEnd)
        {
            if (children.Count > 0)
            {
                ExpectOp(",");
            }

            JinjaNode target = ParseAssignTarget();
            ExpectOp("=");
            children.Add(new JinjaNode(JinjaNodeKind.Pair, target.Line, children: new[] { target, ParseExpression() }));
        }

        children.Add(ParseStatements(new[] { "endwith" }, true));
        return new JinjaNode(JinjaNodeKind.With, line, children: children);
    }

    private JinjaNode ParseBlock()
    {
        int line = Next().Line;
        string name = Expect(JinjaTokenKind.Name, "block name").Value;
        while (SkipName("scoped") || SkipName("required"))
        {
        }

        JinjaNode body = ParseStatements(new[] { "endblock" }, true);
        SkipName(name);
        return new JinjaNode(JinjaNodeKind.Block, line, name, new[] { body });
    }

    // extends / include / import / from: each names another template, which the walk reports.
    private JinjaNode ParseLoad()
    {
        JinjaToken tag = Next();
        JinjaNode template = ParseExpression();
        JinjaNodeKind kind = tag.Value switch
        {
            "extends" => JinjaNodeKind.Extends,
            "include" => JinjaNodeKind.Include,
            "import" => JinjaNodeKind.Import,
            _ => JinjaNodeKind.FromImport,
        };
        var names = new List<JinjaNode> { template };
        if (kind == JinjaNodeKind.Include && Current.IsName("ignore") && Look.IsName("missing"))
        {
            Next();
            Next();
        }
        else if (kind == JinjaNodeKind.Import)
        {
            if (!SkipName("as"))
            {
                throw Fail("expected 'as'");
            }

            names.Add(ParseAssignTarget(withTuple: false, nameOnly: true));
        }
        else if (kind == JinjaNodeKind.FromImport)
        {
            if (!SkipName("import"))
            {
                throw Fail("expected 'import'");
            }

            while (Current.Kind == JinjaTokenKind.Name && !(Current.Value is "with" or "without" && Look.IsName("context")))
            {
                if (names.Count > 1)
                {
                    ExpectOp(",");
                }

                JinjaNode name = ParseAssignTarget(withTuple: false, nameOnly: true);
                names.Add(SkipName("as") ? ParseAssignTarget(withTuple: false, nameOnly: true) : name);
                if (!Current.Is(","))
                {
                    break;
                }
            }
        }

        if (Current.Value is "with" or "without" && Look.IsName("context"))
        {
            Next();
            Next();
        }

        return new JinjaNode(kind, tag.Line, tag.Value, names);
    }

    private JinjaNode ParseAssignTarget(bool withTuple = true, bool nameOnly = false, string? extraEnd = null, bool withNamespace = false)
    {
        JinjaNode target;
        if (nameOnly)
        {
            JinjaToken name = Expect(JinjaTokenKind.Name, "name");
            target = new JinjaNode(JinjaNodeKind.Name, name.Line, name.Value);
        }
        else if (withNamespace && Current.Kind == JinjaTokenKind.Name && Look.Is("."))
        {
            JinjaToken ns = Next();
            Next();
            JinjaToken attr = Expect(JinjaTokenKind.Name, "attribute name");
            target = new JinjaNode(JinjaNodeKind.Getattr, ns.Line, attr.Value, new[] { new JinjaNode(JinjaNodeKind.Name, ns.Line, ns.Value) });
        }
        else
        {
            target = withTuple ? ParseTuple(simplified: true, extraEnd: extraEnd) : ParsePrimary();
        }

        if (!CanAssign(target))
        {
            throw Fail("can't assign to this expression");
        }

        return target;
    }

    private static bool CanAssign(JinjaNode node) => node.Kind switch
    {
        JinjaNodeKind.Name => true,
        JinjaNodeKind.Getattr => node.Children[0].Kind == JinjaNodeKind.Name,
        JinjaNodeKind.Tuple => node.Children.All(CanAssign),
        _ => false,
    };

    // ---- expressions ----

    private JinjaNode ParseExpression(bool withCondExpr = true) => withCondExpr ? ParseCondExpr() : ParseOr();

    private JinjaNode ParseCondExpr()
    {
        Enter();
        JinjaNode expr = ParseOr();
        while (SkipName("if"))
        {
            JinjaNode test = ParseOr();
            JinjaNode otherwise = SkipName("else") ? ParseCondExpr() : JinjaNode.Empty(test.Line);
            expr = new JinjaNode(JinjaNodeKind.CondExpr, expr.Line, children: new[] { test, expr, otherwise });
        }

        Leave();
        return expr;
    }

    private JinjaNode ParseOr()
    {
        JinjaNode left = ParseAnd();
        while (SkipName("or"))
        {
            left = Binary("or", left, ParseAnd());
        }

        return left;
    }

    private JinjaNode ParseAnd()
    {
        JinjaNode left = ParseNot();
        while (SkipName("and"))
        {
            left = Binary("and", left, ParseNot());
        }

        return left;
    }

    private JinjaNode ParseNot()
    {
        if (Current.IsName("not"))
        {
            int line = Next().Line;
            Enter();
            JinjaNode operand = ParseNot();
            Leave();
            return new JinjaNode(JinjaNodeKind.Unary, line, "not", new[] { operand });
        }

        return ParseCompare();
    }

    private JinjaNode ParseCompare()
    {
        JinjaNode expr = ParseMath1();
        while (true)
        {
            if (Current.Kind == JinjaTokenKind.Operator && s_compareOperators.Contains(Current.Value))
            {
                string op = Next().Value;
                expr = Binary(op, expr, ParseMath1());
            }
            else if (SkipName("in"))
            {
                expr = Binary("in", expr, ParseMath1());
            }
            else if (Current.IsName("not") && Look.IsName("in"))
            {
                Next();
                Next();
                expr = Binary("not in", expr, ParseMath1());
            }
            else
            {
                return expr;
            }
        }
    }

    private JinjaNode ParseMath1()
    {
        JinjaNode left = ParseConcat();
        while (Current.Is("+") || Current.Is("-"))
        {
            string op = Next().Value;
            left = Binary(op, left, ParseConcat());
        }

        return left;
    }

    private JinjaNode ParseConcat()
    {
        JinjaNode left = ParseMath2();
        while (SkipOp("~"))
        {
            left = Binary("~", left, ParseMath2());
        }

        return left;
    }

    private JinjaNode ParseMath2()
    {
        JinjaNode left = ParsePow();
        while (Current.Is("*") || Current.Is("/") || Current.Is("//") || Current.Is("%"))
        {
            string op = Next().Value;
            left = Binary(op, left, ParsePow());
        }

        return left;
    }

    private JinjaNode ParsePow()
    {
        JinjaNode left = ParseUnary();
        while (SkipOp("**"))
        {
            left = Binary("**", left, ParseUnary());
        }

        return left;
    }

    private JinjaNode ParseUnary(bool withFilter = true)
    {
        Enter();
        JinjaNode node;
        if (Current.Is("-") || Current.Is("+"))
        {
            JinjaToken op = Next();
            node = new JinjaNode(JinjaNodeKind.Unary, op.Line, op.Value, new[] { ParseUnary(withFilter: false) });
        }
        else
        {
            node = ParsePrimary();
        }

        node = ParsePostfix(node);
        if (withFilter)
        {
            node = ParseFilterExpr(node);
        }

        Leave();
        return node;
    }

    private JinjaNode ParsePrimary()
    {
        JinjaToken token = Current;
        switch (token.Kind)
        {
            case JinjaTokenKind.Name:
                Next();
                return token.Value is "true" or "false" or "True" or "False" or "none" or "None"
                    ? new JinjaNode(JinjaNodeKind.Constant, token.Line, token.Value.ToLowerInvariant())
                    : new JinjaNode(JinjaNodeKind.Name, token.Line, token.Value);
            case JinjaTokenKind.String:
                Next();
                string value = token.Value;
                bool escaped = token.Escaped;
                while (Current.Kind == JinjaTokenKind.String)
                {
                    // Adjacent literals are joined, as in Python: a way to split a name in the source.
                    value += Next().Value;
                    escaped = true;
                }

                return new JinjaNode(JinjaNodeKind.String, token.Line, value, escaped: escaped);
            case JinjaTokenKind.Integer:
            case JinjaTokenKind.Float:
                Next();
                return new JinjaNode(JinjaNodeKind.Number, token.Line, token.Value);
            case JinjaTokenKind.Operator when token.Value == "(":
                Next();
                JinjaNode inner = ParseTuple(withCondExpr: true, explicitParentheses: true);
                ExpectOp(")");
                return inner;
            case JinjaTokenKind.Operator when token.Value == "[":
                return ParseSequence("[", "]", JinjaNodeKind.List);
            case JinjaTokenKind.Operator when token.Value == "{":
                return ParseDict();
            default:
                throw Fail($"unexpected {token}");
        }
    }

    private JinjaNode ParseTuple(bool simplified = false, bool withCondExpr = true, string? extraEnd = null, bool explicitParentheses = false)
    {
        int line = Current.Line;
        var items = new List<JinjaNode>();
        bool isTuple = false;
        while (true)
        {
            if (items.Count > 0)
            {
                ExpectOp(",");
            }

            if (IsTupleEnd(extraEnd))
            {
                break;
            }

            items.Add(simplified ? ParsePrimary() : ParseExpression(withCondExpr));
            if (Current.Is(","))
            {
                isTuple = true;
            }
            else
            {
                break;
            }
        }

        if (!isTuple)
        {
            if (items.Count > 0)
            {
                return items[0];
            }

            if (!explicitParentheses)
            {
                throw Fail($"expected an expression, got {Current}");
            }
        }

        return new JinjaNode(JinjaNodeKind.Tuple, line, children: items);
    }

    private bool IsTupleEnd(string? extraEnd) =>
        Current.Kind is JinjaTokenKind.VariableEnd or JinjaTokenKind.BlockEnd || Current.Is(")") || (extraEnd is not null && Current.IsName(extraEnd));

    private JinjaNode ParseSequence(string open, string close, JinjaNodeKind kind)
    {
        int line = Current.Line;
        ExpectOp(open);
        var items = new List<JinjaNode>();
        while (!Current.Is(close))
        {
            if (items.Count > 0)
            {
                ExpectOp(",");
            }

            if (Current.Is(close))
            {
                break;
            }

            items.Add(ParseExpression());
        }

        ExpectOp(close);
        return new JinjaNode(kind, line, children: items);
    }

    private JinjaNode ParseDict()
    {
        int line = Current.Line;
        ExpectOp("{");
        var items = new List<JinjaNode>();
        while (!Current.Is("}"))
        {
            if (items.Count > 0)
            {
                ExpectOp(",");
            }

            if (Current.Is("}"))
            {
                break;
            }

            JinjaNode key = ParseExpression();
            ExpectOp(":");
            items.Add(new JinjaNode(JinjaNodeKind.Pair, key.Line, children: new[] { key, ParseExpression() }));
        }

        ExpectOp("}");
        return new JinjaNode(JinjaNodeKind.Dict, line, children: items);
    }

    private JinjaNode ParsePostfix(JinjaNode node)
    {
        while (true)
        {
            if (Current.Is(".") || Current.Is("["))
            {
                node = ParseSubscript(node);
            }
            else if (Current.Is("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }

    private JinjaNode ParseFilterExpr(JinjaNode node)
    {
        while (true)
        {
            if (Current.Is("|"))
            {
                node = ParseFilter(node);
            }
            else if (Current.IsName("is"))
            {
                node = ParseTest(node);
            }
            else if (Current.Is("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }

    private JinjaNode ParseSubscript(JinjaNode node)
    {
        JinjaToken token = Next();
        if (token.Is("."))
        {
            JinjaToken attr = Next();
            return attr.Kind switch
            {
                JinjaTokenKind.Name => new JinjaNode(JinjaNodeKind.Getattr, attr.Line, attr.Value, new[] { node }),
                JinjaTokenKind.Integer => new JinjaNode(JinjaNodeKind.Getitem, attr.Line, children: new[] { node, new JinjaNode(JinjaNodeKind.Number, attr.Line, attr.Value) }),
                _ => throw new JinjaSyntaxException("expected name or number", attr.Line),
            };
        }

        var args = new List<JinjaNode>();
        while (!Current.Is("]"))
        {
            if (args.Count > 0)
            {
                ExpectOp(",");
            }

            args.Add(ParseSubscribed());
        }

        ExpectOp("]");
        JinjaNode key = args.Count == 1 ? args[0] : new JinjaNode(JinjaNodeKind.Tuple, token.Line, children: args);
        return new JinjaNode(JinjaNodeKind.Getitem, token.Line, children: new[] { node, key });
    }

    private JinjaNode ParseSubscribed()
    {
        int line = Current.Line;
        var parts = new List<JinjaNode>();
        if (Current.Is(":"))
        {
            Next();
            parts.Add(JinjaNode.Empty(line));
        }
        else
        {
            JinjaNode expr = ParseExpression();
            if (!Current.Is(":"))
            {
                return expr;
            }

            Next();
            parts.Add(expr);
        }

        if (Current.Is(":"))
        {
            parts.Add(JinjaNode.Empty(line));
        }
        else if (!Current.Is("]") && !Current.Is(","))
        {
            parts.Add(ParseExpression());
        }
        else
        {
            parts.Add(JinjaNode.Empty(line));
        }

        if (Current.Is(":"))
        {
            Next();
            parts.Add(!Current.Is("]") && !Current.Is(",") ? ParseExpression() : JinjaNode.Empty(line));
        }
        else
        {
            parts.Add(JinjaNode.Empty(line));
        }

        return new JinjaNode(JinjaNodeKind.Slice, line, children: parts);
    }

    private JinjaNode ParseCall(JinjaNode callee)
    {
        var children = new List<JinjaNode> { callee };
        children.AddRange(ParseCallArgs());
        return new JinjaNode(JinjaNodeKind.Call, callee.Line, children: children);
    }

    private List<JinjaNode> ParseCallArgs()
    {
        ExpectOp("(");
        var args = new List<JinjaNode>();
        while (!Current.Is(")"))
        {
            if (args.Count > 0)
            {
                ExpectOp(",");
                if (Current.Is(")"))
                {
                    break;
                }
            }

            int line = Current.Line;
            if (SkipOp("*"))
            {
                args.Add(new JinjaNode(JinjaNodeKind.DynArgs, line, children: new[] { ParseExpression() }));
            }
            else if (SkipOp("**"))
            {
                args.Add(new JinjaNode(JinjaNodeKind.DynKwargs, line, children: new[] { ParseExpression() }));
            }
            else if (Current.Kind == JinjaTokenKind.Name && Look.Is("="))
            {
                string name = Next().Value;
                Next();
                args.Add(new JinjaNode(JinjaNodeKind.Keyword, line, name, new[] { ParseExpression() }));
            }
            else
            {
                args.Add(ParseExpression());
            }
        }

        ExpectOp(")");
        return args;
    }

    private JinjaNode ParseFilter(JinjaNode node, bool startInline = false)
    {
        while (Current.Is("|") || startInline)
        {
            if (!startInline)
            {
                Next();
            }

            startInline = false;
            JinjaToken token = Expect(JinjaTokenKind.Name, "filter name");
            string name = DottedName(token.Value);
            var children = new List<JinjaNode> { node };
            if (Current.Is("("))
            {
                children.AddRange(ParseCallArgs());
            }

            node = new JinjaNode(JinjaNodeKind.Filter, token.Line, name, children);
        }

        return node;
    }

    private JinjaNode ParseTest(JinjaNode node)
    {
        Next();
        bool negated = SkipName("not");
        JinjaToken token = Expect(JinjaTokenKind.Name, "test name");
        string name = DottedName(token.Value);
        var children = new List<JinjaNode> { node };
        if (Current.Is("("))
        {
            children.AddRange(ParseCallArgs());
        }
        else if ((Current.Kind is JinjaTokenKind.Name or JinjaTokenKind.String or JinjaTokenKind.Integer or JinjaTokenKind.Float || Current.Is("[") || Current.Is("{"))
            && !(Current.IsName("else") || Current.IsName("or") || Current.IsName("and")))
        {
            if (Current.IsName("is"))
            {
                throw Fail("you cannot chain multiple tests with is");
            }

            children.Add(ParsePostfix(ParsePrimary()));
        }

        JinjaNode test = new(JinjaNodeKind.Test, token.Line, name, children);
        return negated ? new JinjaNode(JinjaNodeKind.Unary, token.Line, "not", new[] { test }) : test;
    }

    private string DottedName(string first)
    {
        string name = first;
        while (Current.Is("."))
        {
            Next();
            name += "." + Expect(JinjaTokenKind.Name, "name").Value;
        }

        return name;
    }

    private static JinjaNode Binary(string op, JinjaNode left, JinjaNode right) =>
        new(JinjaNodeKind.Binary, left.Line, op, new[] { left, right });
}
