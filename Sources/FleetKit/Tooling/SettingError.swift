/// A setting that cannot work, named by what it is for in the library's own words
/// (`Setting`, an enum of a kit's settings); a tool renders it with the name of its own
/// option. Kits name their specialisations, such as ButlerKit's `NodeSettingError`.
public struct SettingError<Setting>: SettingProblem, Sendable, Equatable
where Setting: RawRepresentable & Sendable & Equatable, Setting.RawValue == String {
    /// Which setting.
    public var setting: Setting
    /// What is wrong with it and what is expected, without naming any option.
    public var message: String

    /// Creates the error.
    public init(_ setting: Setting, _ message: String) {
        self.setting = setting
        self.message = message
    }

    /// The message, as it reads on its own.
    public var description: String { message }
    /// The setting's raw name, for the tool to map to its option.
    public var settingKey: String { setting.rawValue }
    /// The message, for the tool to put after the option's name.
    public var problem: String { message }
}
