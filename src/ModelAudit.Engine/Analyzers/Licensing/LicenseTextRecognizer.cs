namespace ModelAudit.Engine.Analyzers.Licensing;

/// <summary>Recognises the common licence texts from the phrases that open them (LICENSE, LICENSE.txt, COPYING).</summary>
internal static class LicenseTextRecognizer
{
    // Licence titles and the first paragraphs are within this many characters of the start.
    private const int Window = 3000;

    public static string? Recognize(string text)
    {
        string head = text.Length > Window ? text[..Window] : text;
        bool Has(string phrase) => head.Contains(phrase, StringComparison.OrdinalIgnoreCase);
        if (Has("Apache License") && Has("Version 2.0"))
        {
            return "Apache-2.0";
        }

        if (Has("GNU AFFERO GENERAL PUBLIC LICENSE"))
        {
            return Has("Version 3") ? "AGPL-3.0-only" : null;
        }

        if (Has("GNU LESSER GENERAL PUBLIC LICENSE"))
        {
            return Has("Version 3") ? "LGPL-3.0-only" : Has("Version 2.1") ? "LGPL-2.1-only" : null;
        }

        if (Has("GNU GENERAL PUBLIC LICENSE"))
        {
            return Has("Version 3") ? "GPL-3.0-only" : Has("Version 2") ? "GPL-2.0-only" : null;
        }

        if (Has("Mozilla Public License Version 2.0") || Has("Mozilla Public License, version 2.0"))
        {
            return "MPL-2.0";
        }

        if (Has("Permission is hereby granted, free of charge"))
        {
            return "MIT";
        }

        if (Has("Redistribution and use in source and binary forms"))
        {
            return Has("Neither the name") || Has("names of its contributors") ? "BSD-3-Clause" : "BSD-2-Clause";
        }

        if (Has("Attribution-NonCommercial-ShareAlike 4.0 International"))
        {
            return "CC-BY-NC-SA-4.0";
        }

        if (Has("Attribution-NonCommercial 4.0 International"))
        {
            return "CC-BY-NC-4.0";
        }

        if (Has("Attribution-ShareAlike 4.0 International"))
        {
            return "CC-BY-SA-4.0";
        }

        if (Has("Attribution 4.0 International"))
        {
            return "CC-BY-4.0";
        }

        return Has("This is free and unencumbered software released into the public domain") ? "Unlicense" : null;
    }
}
