namespace ModelAudit.Engine.Analyzers.Configuration;

/// <summary>A TOML or INI text that its language's loader (tomllib, configparser) would refuse.</summary>
internal sealed class ConfigSyntaxException : Exception
{
    public ConfigSyntaxException(string message, int position)
        : base($"{message} at character {position}")
    {
        Position = position;
    }

    public int Position { get; }
}
