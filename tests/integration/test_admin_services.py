"""Admin services against the real database: rules, auditing and refused deletions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from estapp.admin import accounts, categories, places, services
from estapp.admin.errors import InvalidChange
from estapp.db import utcnow
from estapp.models import Area, AuditEvent, Category, Municipality, Role, User


def one(db, model, *where):
    return db.scalar(select(model).where(*where))


def admin_user(db) -> User:
    return one(db, User, User.email == "admin@estapp.example")


def ekbacka(db) -> Municipality:
    return one(db, Municipality, Municipality.slug == "ekbacka")


def deleted_events(db) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action.like("%_deleted"))))


def test_refused_delete_keeps_the_transaction_usable_and_logs_nothing(db, demo):
    actor, kommun = admin_user(db), ekbacka(db)
    centrum = one(db, Area, Area.name == "Centrum", Area.municipality_id == kommun.id)
    # An earlier change in the same transaction...
    category = categories.create_category(db, actor, kommun, "Buskörning", now=utcnow())
    with pytest.raises(InvalidChange) as refused:
        places.delete_area(db, actor, centrum, now=utcnow())  # it has places
    assert "Området har platser" in str(refused.value)
    # ...survives the refusal, and so does a later one.
    categories.rename_category(db, actor, category, "Buskörning med moped", now=utcnow())
    db.commit()
    db.expire_all()
    assert one(db, Category, Category.name == "Buskörning med moped") is not None
    assert one(db, Area, Area.id == centrum.id) is not None
    assert deleted_events(db) == []


def test_refused_delete_as_the_first_change_leaves_no_audit_row(db, demo):
    actor, kommun = admin_user(db), ekbacka(db)
    centrum = one(db, Area, Area.name == "Centrum", Area.municipality_id == kommun.id)
    db.commit()  # start from a clean transaction, as a request does
    with pytest.raises(InvalidChange):
        places.delete_area(db, actor, centrum, now=utcnow())
    db.rollback()
    assert deleted_events(db) == []


def test_deletion_and_its_audit_row_are_stored_together(db, demo):
    actor, kommun = admin_user(db), ekbacka(db)
    category = one(db, Category, Category.name == "Övrigt", Category.municipality_id == kommun.id)
    category_id = category.id
    db.commit()
    categories.delete_category(db, actor, category, now=utcnow())
    db.commit()
    assert db.get(Category, category_id) is None
    [event] = deleted_events(db)
    assert (event.action, event.object_id, event.municipality_id) == (
        "category_deleted",
        category_id,
        kommun.id,
    )
    assert event.details == {"name": "Övrigt"}


def test_a_deletion_is_never_stored_without_its_audit_row(db, demo):
    # PostgreSQL rolls both back; SQLite's SAVEPOINT may already have committed both.
    actor, kommun = admin_user(db), ekbacka(db)
    category = one(db, Category, Category.name == "Klotter", Category.municipality_id == kommun.id)
    category_id = category.id
    db.commit()
    categories.delete_category(db, actor, category, now=utcnow())
    db.rollback()
    assert (db.get(Category, category_id) is None) == bool(deleted_events(db))


def test_sub_areas_are_not_offered_as_parents_and_cycles_are_refused(db, demo):
    actor, kommun = admin_user(db), ekbacka(db)
    top = places.create_area(db, actor, kommun, "Stad", now=utcnow())
    middle = places.create_area(db, actor, kommun, "Kvarter", parent=top, now=utcnow())
    bottom = places.create_area(db, actor, kommun, "Gård", parent=middle, now=utcnow())
    offered = {a.id for a in places.possible_parents(db, top, kommun)}
    assert top.id not in offered and middle.id not in offered and bottom.id not in offered
    assert places.area_path(bottom) == "Stad › Kvarter › Gård"
    with pytest.raises(InvalidChange) as refused:
        places.update_area(db, actor, top, name="Stad", parent=bottom, geojson=None, now=utcnow())
    assert refused.value.field == "parent"
    assert top.parent is None
    db.rollback()


def test_names_are_unique_without_regard_to_case(db, demo):
    actor = admin_user(db)
    with pytest.raises(InvalidChange) as refused:
        services.create_municipality(db, actor, "EKBACKA", "ekbacka-2", now=utcnow())
    assert refused.value.field == "name"
    db.rollback()


def test_an_edit_that_changes_nothing_is_not_logged(db, demo):
    actor, kommun = admin_user(db), ekbacka(db)
    before = db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    changes = services.update_municipality(
        db, actor, kommun, name="Ekbacka", slug="ekbacka", now=utcnow()
    )
    db.commit()
    assert changes == {}
    assert db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) == before


def test_admin_cannot_demote_or_deactivate_themselves(db, demo):
    actor = admin_user(db)
    with pytest.raises(InvalidChange) as refused:
        accounts.update_user(
            db,
            actor,
            actor,
            name=actor.name,
            role=Role.VIEWER,
            organisation=None,
            municipalities=[ekbacka(db)],
            now=utcnow(),
        )
    assert refused.value.field == "role"
    with pytest.raises(InvalidChange):
        accounts.set_user_active(db, actor, actor, False, now=utcnow())
    db.rollback()
    assert admin_user(db).active and admin_user(db).role == Role.ADMIN


def test_a_reporters_kommuner_come_from_the_organisation(db, demo):
    actor, kommun = admin_user(db), ekbacka(db)
    viewer = one(db, User, User.email == "lasare@ekbacka.example")
    organisation = one(db, User, User.email == "polis@rapport.example").organisation
    accounts.update_user(
        db,
        actor,
        viewer,
        name=viewer.name,
        role=Role.REPORTER,
        organisation=organisation,
        municipalities=[kommun],
        now=utcnow(),
    )
    assert viewer.municipalities == [] and viewer.organisation is organisation
    db.rollback()


def test_the_forms_outline_lists_areas_and_places_as_the_tree_does(db, demo):
    actor, kommun = admin_user(db), ekbacka(db)
    top = places.create_area(db, actor, kommun, "Östra staden", now=utcnow())
    inner = places.create_area(db, actor, kommun, "ängen", parent=top, now=utcnow())
    places.create_place(db, actor, inner, "Bänken vid dammen", now=utcnow())
    places.create_place(db, actor, inner, "Allén", now=utcnow())
    db.flush()
    outline = places.geography_outline(db, kommun.id)
    tree = places.areas_in_tree_order(db, kommun)
    assert [(a.id, a.path) for a in outline] == [(a.id, places.area_path(a)) for a in tree]
    assert [a.places for a in outline] == [tuple((p.id, p.name) for p in a.places) for a in tree]
    sub_area = next(a for a in outline if a.id == inner.id)
    assert sub_area.path == "Östra staden › ängen"
    assert [name for _, name in sub_area.places] == ["Allén", "Bänken vid dammen"]
    db.rollback()
