namespace ModelAudit.Engine.Analyzers.Configuration;

/// <summary>The language a configuration file is read in, by its name.</summary>
internal enum ConfigLanguage
{
    Toml,
    Ini,
    Yaml,
}
