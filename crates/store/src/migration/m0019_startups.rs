//! 返乡创业 (SPEC §6, seed 001 §(七)): entrepreneurs (a registered person, the day they
//! came back, their business linked to the employer register by 统一社会信用代码), their
//! loans, 返乡创业园区 with tenants and one evaluation per year, the 导师库 with
//! mentor–entrepreneur pairings, and the 在外创业成功人士信息库.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0019_startups"
    }
}

fn id() -> ColumnDef {
    ColumnDef::new(Alias::new("id")).big_integer().not_null().auto_increment().primary_key().to_owned()
}

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

fn recorded(t: &mut TableCreateStatement) -> &mut TableCreateStatement {
    t.col(col("recorded_by").string().not_null()).col(col("recorded_at").timestamp_with_time_zone().not_null())
}

fn fk(t: &mut TableCreateStatement, table: &str, column: &str, to: &str) {
    t.foreign_key(
        ForeignKey::create()
            .name(format!("{table}_{column}"))
            .from(Alias::new(table), Alias::new(column))
            .to(Alias::new(to), Alias::new("id")),
    );
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(Alias::new("entrepreneurs"))
            .col(id())
            .col(col("person_id").big_integer().not_null().unique_key())
            .col(col("returned_on").date())
            .col(col("business_name").string().not_null())
            .col(col("credit_code").string())
            .col(col("industry").string())
            .col(col("region").big_integer().not_null())
            .col(col("started_on").date().not_null())
            .col(col("employees").integer().not_null());
        recorded(&mut t);
        fk(&mut t, "entrepreneurs", "person_id", "persons");
        m.create_table(t.to_owned()).await?;

        let mut t = Table::create();
        t.table(Alias::new("startup_loans"))
            .col(id())
            .col(col("entrepreneur_id").big_integer().not_null())
            .col(col("lender").string().not_null())
            .col(col("amount_fen").big_integer().not_null())
            .col(col("granted_on").date().not_null())
            .col(col("term_months").integer().not_null())
            .col(col("guaranteed").boolean().not_null());
        recorded(&mut t);
        fk(&mut t, "startup_loans", "entrepreneur_id", "entrepreneurs");
        m.create_table(t.to_owned()).await?;

        let mut t = Table::create();
        t.table(Alias::new("startup_parks"))
            .col(id())
            .col(col("name").string().not_null().unique_key())
            .col(col("region").big_integer().not_null())
            .col(col("municipal").boolean().not_null())
            .col(col("recognized_on").date().not_null());
        recorded(&mut t);
        m.create_table(t.to_owned()).await?;

        let mut t = Table::create();
        t.table(Alias::new("park_tenants"))
            .col(id())
            .col(col("park_id").big_integer().not_null())
            .col(col("entrepreneur_id").big_integer().not_null())
            .col(col("entered_on").date().not_null())
            .col(col("left_on").date());
        recorded(&mut t);
        fk(&mut t, "park_tenants", "park_id", "startup_parks");
        fk(&mut t, "park_tenants", "entrepreneur_id", "entrepreneurs");
        m.create_table(t.to_owned()).await?;

        let mut t = Table::create();
        t.table(Alias::new("park_evaluations"))
            .col(id())
            .col(col("park_id").big_integer().not_null())
            .col(col("year").integer().not_null())
            .col(col("grade").small_integer().not_null())
            .col(col("award_fen").big_integer());
        recorded(&mut t);
        fk(&mut t, "park_evaluations", "park_id", "startup_parks");
        m.create_table(t.to_owned()).await?;
        m.create_index(
            Index::create()
                .name("park_evaluations_park_year")
                .table(Alias::new("park_evaluations"))
                .col(Alias::new("park_id"))
                .col(Alias::new("year"))
                .unique()
                .to_owned(),
        )
        .await?;

        let mut t = Table::create();
        t.table(Alias::new("mentors"))
            .col(id())
            .col(col("name").string().not_null())
            .col(col("organisation").string().not_null())
            .col(col("expertise").string().not_null())
            .col(col("region").big_integer().not_null());
        recorded(&mut t);
        m.create_table(t.to_owned()).await?;

        let mut t = Table::create();
        t.table(Alias::new("mentor_pairings"))
            .col(id())
            .col(col("mentor_id").big_integer().not_null())
            .col(col("entrepreneur_id").big_integer().not_null())
            .col(col("started_on").date().not_null())
            .col(col("ended_on").date());
        recorded(&mut t);
        fk(&mut t, "mentor_pairings", "mentor_id", "mentors");
        fk(&mut t, "mentor_pairings", "entrepreneur_id", "entrepreneurs");
        m.create_table(t.to_owned()).await?;

        let mut t = Table::create();
        t.table(Alias::new("outside_entrepreneurs"))
            .col(id())
            .col(col("name").string().not_null())
            .col(col("home_region").big_integer().not_null())
            .col(col("province").small_integer().not_null())
            .col(col("city").string().not_null())
            .col(col("enterprise").string().not_null())
            .col(col("industry").string())
            .col(col("employees").integer().not_null())
            .col(col("willing_to_return").boolean().not_null());
        recorded(&mut t);
        m.create_table(t.to_owned()).await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
