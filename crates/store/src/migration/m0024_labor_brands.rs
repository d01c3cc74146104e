//! 劳务品牌 (seed 001 §(三); 十四五规划 专栏1): the brands a district cultivates, with
//! the day each was recognised as 市级 and as 国家级, and the latest assessment of the
//! employment it drives and the award assessed from it (`labor-brand-award`).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0024_labor_brands"
    }
}

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(Alias::new("labor_brands"))
            .col(col("id").big_integer().not_null().auto_increment().primary_key())
            .col(col("name").string().not_null().unique_key())
            .col(col("region").big_integer().not_null())
            .col(col("category").small_integer().not_null())
            .col(col("trade").string().not_null())
            .col(col("lead_organisation").string())
            .col(col("lead_credit_code").string())
            .col(col("municipal_on").date())
            .col(col("national_on").date())
            .col(col("workers").integer())
            .col(col("award_assessed_fen").big_integer())
            .col(col("recorded_by").string().not_null())
            .col(col("recorded_at").timestamp_with_time_zone().not_null());
        m.create_table(t.to_owned()).await?;
        m.create_index(
            Index::create()
                .name("labor_brands_region")
                .table(Alias::new("labor_brands"))
                .col(Alias::new("region"))
                .to_owned(),
        )
        .await
    }
}
