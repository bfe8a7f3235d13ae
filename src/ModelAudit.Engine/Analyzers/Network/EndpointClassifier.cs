using System.Net;
using System.Net.Sockets;

namespace ModelAudit.Engine.Analyzers.Network;

/// <summary>Sorts a URL into an <see cref="EndpointKind"/> by its host, port and path. Lists are suffix-matched on
/// whole labels, so "evilhuggingface.co" is not huggingface.co.</summary>
internal static class EndpointClassifier
{
    // Hosts model cards and configs link to as a matter of course: hubs, papers, code hosting, licences, frameworks.
    private static readonly string[] s_documentation =
    {
        "huggingface.co", "hf.co", "arxiv.org", "github.com", "gitlab.com", "doi.org", "aclanthology.org", "openreview.net",
        "paperswithcode.com", "semanticscholar.org", "wikipedia.org", "opensource.org", "apache.org", "creativecommons.org",
        "spdx.org", "gnu.org", "choosealicense.com", "pytorch.org", "tensorflow.org", "keras.io", "onnx.ai", "python.org",
        "readthedocs.io", "readthedocs.org", "scikit-learn.org", "numpy.org", "kaggle.com", "google.com", "microsoft.com",
        "nvidia.com", "meta.com", "llama.com", "mistral.ai", "openai.com", "anthropic.com", "ai.google.dev", "qwenlm.github.io",
        "github.io", "colab.research.google.com", "zenodo.org", "w3.org", "ietf.org", "json-schema.org", "mlflow.org",
        "pypi.org", "conda.io", "anaconda.org", "nih.gov", "acm.org", "ieee.org", "springer.com", "nature.com", "x.com",
        "twitter.com", "discord.gg", "linkedin.com", "youtube.com", "medium.com", "aka.ms",
    };

    private static readonly string[] s_shorteners =
    {
        "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "rb.gy", "tiny.one", "cutt.ly", "shorturl.at",
        "rebrand.ly", "buff.ly", "t.ly", "s.id", "v.gd", "tiny.cc", "shorte.st", "adf.ly", "bl.ink", "lnkd.in",
    };

    private static readonly string[] s_tunnels =
    {
        "ngrok.io", "ngrok-free.app", "ngrok.app", "ngrok-free.dev", "ngrok.dev", "localtunnel.me", "loca.lt",
        "trycloudflare.com", "serveo.net", "localhost.run", "lhr.life", "pagekite.me", "bore.pub", "telebit.io",
        "tunnelto.dev", "pinggy.link", "pinggy.io", "devtunnels.ms", "ply.gg", "playit.gg", "portmap.io",
    };

    private static readonly string[] s_dropsAndWebhooks =
    {
        "pastebin.com", "paste.ee", "hastebin.com", "ghostbin.co", "rentry.co", "transfer.sh", "webhook.site",
        "requestbin.com", "pipedream.net", "interact.sh", "oast.fun", "oast.live", "oast.me", "oast.online", "oast.pro",
        "oast.site", "burpcollaborator.net", "oastify.com", "canarytokens.com", "file.io", "0x0.st", "temp.sh",
        "anonfiles.com", "gofile.io", "catbox.moe", "dnslog.cn", "ceye.io",
    };

    // Default ports of reverse shells, Metasploit handlers, IRC botnets and Tor relays.
    private static readonly int[] s_unusualPorts = { 1337, 31337, 4444, 4445, 5555, 6666, 6667, 6697, 9001, 12345, 54321 };

    private static readonly string[] s_executableExtensions =
    {
        ".exe", ".dll", ".so", ".dylib", ".sh", ".bash", ".ps1", ".psm1", ".bat", ".cmd", ".vbs", ".scr", ".msi", ".jar",
        ".apk", ".elf", ".hta", ".lnk",
    };

    // Webhook paths on hosts that are otherwise ordinary.
    private static readonly string[] s_webhookPaths = { "/api/webhooks/", "/bot" };

    // A host that IDNA cannot encode (Uri.IdnHost throws for it) is no DNS name, but it is still where a loader was
    // pointed: it is classified as written.
    private static string HostOf(Uri url)
    {
        try
        {
            return url.IdnHost;
        }
        catch (UriFormatException)
        {
            return url.Host;
        }
    }

    public static EndpointKind Classify(Uri url)
    {
        string host = HostOf(url).TrimEnd('.').ToLowerInvariant();
        string path = url.AbsolutePath;
        if (IsRawPublicIp(host))
        {
            return EndpointKind.RawIp;
        }

        if (Matches(host, s_tunnels))
        {
            return EndpointKind.Tunnel;
        }

        if (Matches(host, s_dropsAndWebhooks)
            || ((Matches(host, "discord.com") || Matches(host, "discordapp.com")) && path.StartsWith(s_webhookPaths[0], StringComparison.OrdinalIgnoreCase))
            || (Matches(host, "api.telegram.org") && path.StartsWith(s_webhookPaths[1], StringComparison.OrdinalIgnoreCase)))
        {
            return EndpointKind.DropOrWebhook;
        }

        if (Matches(host, s_shorteners))
        {
            return EndpointKind.Shortener;
        }

        if (!url.IsDefaultPort && s_unusualPorts.Contains(url.Port) && !IsLocal(host))
        {
            return EndpointKind.UnusualPort;
        }

        bool documentation = Matches(host, s_documentation) && !IsRawDownload(host, path);
        if (!documentation && s_executableExtensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
        {
            return EndpointKind.Executable;
        }

        return documentation || IsLocal(host) ? EndpointKind.Documentation : EndpointKind.Ordinary;
    }

    // Raw file and release-asset URLs on code hosts serve the file itself, not a page about it.
    private static bool IsRawDownload(string host, string path) =>
        path.Contains("/releases/download/", StringComparison.OrdinalIgnoreCase) || path.Contains("/raw/", StringComparison.OrdinalIgnoreCase);

    private static bool Matches(string host, string[] suffixes) => suffixes.Any(s => Matches(host, s));

    private static bool Matches(string host, string suffix) =>
        host.Equals(suffix, StringComparison.Ordinal) || host.EndsWith("." + suffix, StringComparison.Ordinal);

    private static bool IsLocal(string host) =>
        host is "localhost" or "0.0.0.0" || host.EndsWith(".local", StringComparison.Ordinal) || host.EndsWith(".internal", StringComparison.Ordinal)
        || (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? ip) && !IsPublic(ip));

    private static bool IsRawPublicIp(string host) =>
        IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? ip) && IsPublic(ip) && host.Any(c => c is '.' or ':');

    private static bool IsPublic(IPAddress ip)
    {
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            return false;
        }

        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return !(ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6UniqueLocal);
        }

        byte[] b = ip.GetAddressBytes();
        // RFC 1918 private ranges, link-local and documentation (TEST-NET) ranges.
        return !(b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254)
            || (b[0] == 192 && b[1] == 0 && b[2] == 2) || (b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113));
    }
}
