namespace ModelAudit.Engine.Rules;

internal static partial class RuleIds
{
    // 7xxx templates: chat-template injection (MA7001–MA7049)
    public const string TemplateInternalAttribute = "MA7001";
    public const string TemplateObfuscatedAttribute = "MA7002";
    public const string TemplateComputedAttribute = "MA7003";
    public const string TemplateGlobalObjectWalk = "MA7004";
    public const string TemplateDangerousReference = "MA7005";
    public const string TemplateExecutionCall = "MA7006";
    public const string TemplateLoadsTemplate = "MA7007";
    public const string TemplateSyntaxError = "MA7008";
}
