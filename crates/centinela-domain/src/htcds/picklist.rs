//! The HTCDS value lists (picklists and multiselect picklists).

pub const ORG_TYPE: &[&str] = &[
    "NGO",
    "LawEnforcement",
    "HealthServiceOrganisation",
    "CentralGovernmentOrganisation",
    "LocalGovernmentOrganisation",
    "ImmigrationService",
    "LegalService",
    "CorporateBusiness",
    "SchoolOrCollege",
];
pub const GENDER: &[&str] =
    &["Feminine", "Masculine", "TransgenderFeminine", "TransgenderMasculine", "NonConforming", "NonSpecifiedUnknown"];
pub const MARITAL_STATUS: &[&str] = &["Single", "Married", "Widowed", "Divorced", "Separated", "RegisteredPartnership"];
pub const EDUCATION: &[&str] = &[
    "EarlyChildhoodEducation",
    "PrimaryEducation",
    "LowerSecondaryEducation",
    "UpperSecondaryEducation",
    "PostSecondaryNonTertiaryEducation",
    "ShortCycleTertiaryEducation",
    "BachelorsOrEquivalentLevel",
    "MastersOrEquivalentLevel",
    "DoctoralOrEquivalentLevel",
];
pub const TRAFFICKING_STATUS: &[&str] =
    &["PossibleVictimOfTrafficking", "ActualVictimOfTrafficking", "NotAVictimOfTrafficking"];
pub const DECISION_ORG: &[&str] =
    &["Police", "NGO", "CourtOrProsecution", "NonPoliceGovernmentalOrganization", "Other"];
pub const RELATIONSHIP: &[&str] = &["Familial", "Acquainted", "Unaquainted"];
pub const WEBSITES: &[&str] = &[
    "Facebook",
    "Instagram",
    "WhatsApp",
    "Telegram",
    "FacebookMessenger",
    "Viber",
    "SnapChat",
    "Line",
    "4Sale",
    "WeChat",
    "QQ",
    "QZone",
    "TikTok",
    "Twitter",
    "Other",
];
pub const METHOD_OF_RECRUITMENT: &[&str] = &[
    "AtAPlaceOfBusiness",
    "AtAnEducationalInstitution",
    "AtWork",
    "ThroughOnlineSocialNetworks",
    "ThroughAnOnlineAdvertisement",
    "ThroughATelevisionAdvert",
    "ThroughANewspaperAdvert",
    "ThroughFamilyOrFamilyEvents",
    "ThroughFriendsOrSocialEvents",
    "Other",
];
pub const METHODS_OF_CONTROL: &[&str] = &[
    "PhysicalThreats",
    "ThreatsLawEnforcement",
    "ThreatensChildrenFamily",
    "DebtBondage",
    "FalsePromises",
    "PhysicalAbuse",
    "SexualAbuse",
    "TakesEarnings",
    "RestrictsFinancialAccess",
    "RestrictsMedicalCare",
    "WithholdsNecessities",
    "PsychologicalAbuse",
    "PsychoactiveSubstance",
    "ExcessiveWorkingHours",
    "WithholdsDocuments",
    "Other",
];
pub const TYPE_OF_EXPLOITATION: &[&str] = &[
    "ForcedLabour",
    "SexualExploitation",
    "ChildLabour",
    "ForcedMarriage",
    "Servitude",
    "ForcedMilitaryByNonStateActors",
    "OrganRemoval",
    "ForcedBegging",
    "ForcedAdoption",
    "Surrogacy",
    "Other",
];
pub const FORCED_LABOUR_INDUSTRY: &[&str] = &[
    "A_AgricultureForestryAndFishing",
    "B_MiningAndQuarrying",
    "C_Manufacturing",
    "D_ElectricityGasSteamAndAirConditioningSupply",
    "E_WaterSupplySewerageWasteManagement",
    "F_Construction",
    "G_WholesaleAndRetailTradeRepairOfMotorVehicles",
    "H_TransportationAndStorage",
    "I_AccommodationAndFoodServiceActivities",
    "J_InformationAndCommunication",
    "K_FinancialAndInsuranceActivities",
    "L_RealEstateActivities",
    "M_ProfessionalScientificAndTechnicalActivities",
    "N_AdministrativeAndSupportServiceActivities",
    "O_PublicAdministrationAndDefence",
    "P_Education",
    "Q_HumanHealthAndSocialWorkActivities",
    "R_ArtsEntertainmentAndRecreation",
    "S_OtherServiceActivities",
    "T_ActivitiesOfHouseholdsAsEmployers",
    "U_ActivitiesOfExtraterritorialOrganizations",
];
pub const TYPE_OF_SEX_EXPLOITATION: &[&str] =
    &["Prostitution", "Pornography", "RemoteInteractiveServices", "PrivateSexualServices"];
pub const VULNERABILITIES: &[&str] = &[
    "Addiction",
    "SocialGroup",
    "Discrimination",
    "Poverty",
    "DisabilityAndPhysicalHealth",
    "MentalHealth",
    "Migration",
    "Homelessness",
    "AbuseSocialMedia",
    "AbusePhysical",
    "Education",
    "WorkEnvironment",
];
pub const ROLE_IN_PROCESS: &[&str] = &[
    "TravellingPartner",
    "Transporter",
    "RecruiterOrIntermediary",
    "BrokerTravelAgent",
    "TransferredIndividual",
    "HarbouredIndividual",
    "SoldIndividual",
    "BoughtIndividual",
    "ReceivedIndividual",
    "ControlledIndividual",
    "Smuggler",
    "Abuser",
    "Kidnapper",
    "Exploiter",
    "Other",
];
pub const CASE_STATUS: &[&str] = &["Active", "FollowUp", "Closed", "ClosedReferred"];
pub const REFERRAL_REASON: &[&str] = &["AdditionalServicesRequired", "MigrationOrChangeOfLocation", "Other"];
pub const EVENT_TYPE: &[&str] = &["Recruitment", "Transit", "Exploitation"];
pub const SUPPORT_TYPE: &[&str] = &[
    "Education",
    "Financial",
    "Health",
    "LabourExploitationRehabilitation",
    "Legal",
    "Livelihood",
    "RightsBasedTraining",
    "SexualExploitationRehabilitation",
    "SocialCare",
];
