namespace ModelAudit.Engine.Formats.RSerialized;

/// <summary>The SEXP type codes of R's serialization stream (R's serialize.c and Rinternals.h): the low byte of every
/// item's flags, and the pseudo-types 238–255 that stand for shared objects and references.</summary>
internal static class RSexpType
{
    public const int Nil = 0;
    public const int Symbol = 1;
    public const int PairList = 2;
    public const int Closure = 3;
    public const int Environment = 4;
    public const int Promise = 5;
    public const int Language = 6;
    public const int Special = 7;
    public const int Builtin = 8;
    public const int Char = 9;
    public const int Logical = 10;
    public const int Integer = 13;
    public const int Real = 14;
    public const int Complex = 15;
    public const int String = 16;
    public const int Dots = 17;
    public const int Vector = 19;
    public const int Expression = 20;
    public const int ByteCode = 21;
    public const int ExternalPointer = 22;
    public const int WeakReference = 23;
    public const int Raw = 24;
    public const int S4 = 25;

    public const int Altrep = 238;
    public const int AttributedList = 239;
    public const int AttributedLanguage = 240;
    public const int BaseEnvironment = 241;
    public const int EmptyEnvironment = 242;
    public const int ByteCodeRepeatReference = 243;
    public const int ByteCodeRepeatDefinition = 244;
    public const int GenericReference = 245;
    public const int ClassReference = 246;
    public const int Persistent = 247;
    public const int Package = 248;
    public const int Namespace = 249;
    public const int BaseNamespace = 250;
    public const int MissingArgument = 251;
    public const int UnboundValue = 252;
    public const int GlobalEnvironment = 253;
    public const int NilValue = 254;
    public const int Reference = 255;
}
