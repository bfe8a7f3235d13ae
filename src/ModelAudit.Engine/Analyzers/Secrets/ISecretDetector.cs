namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>Finds one family of credentials in a piece of text, validating the format where it can.</summary>
internal interface ISecretDetector
{
    IEnumerable<SecretHit> Find(string text);
}
