//! `labor_brands`: A 劳务品牌 cultivated by a district, recognised as 市级 and later
//! perhaps as 国家级, with the latest assessment of the employment it drives.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "labor_brands")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub region: i64,
    /// `domain::brands::BrandCategory` code.
    pub category: i16,
    /// The trade or craft the brand stands for (焊工, 家政服务, 蜀绣 …).
    pub trade: String,
    /// The leading enterprise or organisation (龙头企业、培训机构、行业协会 …).
    pub lead_organisation: Option<String>,
    pub lead_credit_code: Option<String>,
    pub municipal_on: Option<Date>,
    pub national_on: Option<Date>,
    /// 带动就业人数, as last assessed.
    pub workers: Option<i32>,
    /// The award assessed from the employment it drives (fen), as last assessed.
    pub award_assessed_fen: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
